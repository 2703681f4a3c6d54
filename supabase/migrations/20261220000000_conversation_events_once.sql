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

-- As in 20261216000000_voice_transcripts.sql (a later write of an event replaces its text,
-- the last copy in a batch wins), with one customer message per (channel, chat, message id):
-- a copy under another id (the journal's recovery handing the message over again) is
-- written onto the row already there, or onto the batch's first copy, instead of beside it.
-- Two batches racing with the same new message: the second fails on the unique index, and
-- the recorder's retry finds the row. Returns how many events were new or changed.
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
  SELECT DISTINCT ON (k.row_id)
         k.row_id, k.at, k.channel, k.chat_id, k.direction, k.kind, k.reason, coalesce(k.text, ''), k.message_id,
         coalesce(k.reply_to, '{}'), k.model_latency_ms, k.customer_name
  FROM (
    SELECT e.*, a.position,
           CASE WHEN e.direction = 'in' AND e.message_id IS NOT NULL THEN coalesce(
             (SELECT x.id FROM public.conversation_events x
               WHERE x.direction = 'in' AND x.message_id IS NOT NULL
                 AND x.channel = e.channel AND x.chat_id = e.chat_id AND x.message_id = e.message_id),
             first_value(e.id) OVER (PARTITION BY e.direction, e.channel, e.chat_id, e.message_id ORDER BY a.position)
           ) ELSE e.id END AS row_id
    FROM jsonb_array_elements(p_events) WITH ORDINALITY AS a(item, position),
         jsonb_to_record(a.item) AS e(id uuid, at timestamptz, channel text, chat_id text, direction text,
           kind text, reason text, text text, message_id text, reply_to text[], model_latency_ms integer,
           customer_name text)
  ) k
  ORDER BY k.row_id, k.position DESC
  ON CONFLICT (id) DO UPDATE SET text = EXCLUDED.text
    WHERE t.direction = 'in' AND EXCLUDED.direction = 'in' AND t.text IS DISTINCT FROM EXCLUDED.text;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END
$$;

REVOKE ALL ON FUNCTION public.record_conversation_events(jsonb) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.record_conversation_events(jsonb) TO service_role;
