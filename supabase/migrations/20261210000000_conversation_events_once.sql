-- A customer message is recorded once. After a crash (kill -9) the journal hands a message
-- that was received but not answered to the engine again, and the recorder sees it a second
-- time, with a new event id: the dashboard counted it twice. One row per (channel, chat,
-- platform message id) for customer messages, enforced here, so every path that records
-- (a retried batch, the spill file, a recovered message) counts it once.

-- Duplicates recorded before this migration: the first recorded row of each message stays.
DELETE FROM public.conversation_events e
USING public.conversation_events k
WHERE e.direction = 'in' AND k.direction = 'in'
  AND e.message_id IS NOT NULL
  AND e.channel = k.channel AND e.chat_id = k.chat_id AND e.message_id = k.message_id
  AND (e.recorded_at, e.id) > (k.recorded_at, k.id);

CREATE UNIQUE INDEX conversation_events_message_once_idx
  ON public.conversation_events (channel, chat_id, message_id)
  WHERE direction = 'in' AND message_id IS NOT NULL;

-- As before, but any conflict is skipped: the same event id (a retried batch) or the same
-- customer message (a recovered one). Returns how many were new.
CREATE OR REPLACE FUNCTION public.record_conversation_events(p_events jsonb) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_count integer;
BEGIN
  IF p_events IS NULL OR jsonb_typeof(p_events) <> 'array' THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_request', DETAIL = 'Une liste d''événements est attendue.';
  END IF;
  IF jsonb_array_length(p_events) > 1000 THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_request', DETAIL = 'Pas plus de 1000 événements par appel.';
  END IF;
  INSERT INTO public.conversation_events AS t
    (id, at, channel, chat_id, direction, kind, reason, text, message_id, reply_to, model_latency_ms, customer_name)
  SELECT e.id, e.at, e.channel, e.chat_id, e.direction, e.kind, e.reason, coalesce(e.text, ''), e.message_id,
         coalesce(e.reply_to, '{}'), e.model_latency_ms, e.customer_name
  FROM jsonb_to_recordset(p_events) AS e(id uuid, at timestamptz, channel text, chat_id text, direction text,
       kind text, reason text, text text, message_id text, reply_to text[], model_latency_ms integer,
       customer_name text)
  ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END
$$;

REVOKE ALL ON FUNCTION public.record_conversation_events(jsonb) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.record_conversation_events(jsonb) TO service_role;
