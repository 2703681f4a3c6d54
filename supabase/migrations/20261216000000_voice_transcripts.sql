-- Voice notes (issue 16): a customer's voice note is recorded when it arrives ("🎤 0:07") and
-- recorded again, under the same id, once heard ("🎤 0:07 — « … »"). The second write replaces
-- the text of the first instead of being skipped; everything else about a retried batch is
-- unchanged (an event already recorded as it is stays as it is, and is not counted).
-- Within one batch the last copy of an id wins. Returns how many events were new or changed.

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
  SELECT DISTINCT ON (e.id)
         e.id, e.at, e.channel, e.chat_id, e.direction, e.kind, e.reason, coalesce(e.text, ''), e.message_id,
         coalesce(e.reply_to, '{}'), e.model_latency_ms, e.customer_name
  FROM jsonb_array_elements(p_events) WITH ORDINALITY AS a(item, position),
       jsonb_to_record(a.item) AS e(id uuid, at timestamptz, channel text, chat_id text, direction text,
         kind text, reason text, text text, message_id text, reply_to text[], model_latency_ms integer,
         customer_name text)
  ORDER BY e.id, a.position DESC
  ON CONFLICT (id) DO UPDATE SET text = EXCLUDED.text
    WHERE t.direction = 'in' AND EXCLUDED.direction = 'in' AND t.text IS DISTINCT FROM EXCLUDED.text;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END
$$;

REVOKE ALL ON FUNCTION public.record_conversation_events(jsonb) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.record_conversation_events(jsonb) TO service_role;
