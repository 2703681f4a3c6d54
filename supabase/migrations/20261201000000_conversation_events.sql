-- What the owner's dashboard is computed from: every customer message and every reply, as
-- recorded by the bot (src/records), and the read functions the dashboard calls. Same rules
-- as the shop's tables: RLS on, only the service_role, writes through a function.
--
-- Definitions (also in README "The owner's dashboard"); a day is a UTC day, which is
-- Abidjan's local day (GMT all year, no daylight saving):
--   conversation  a (channel, chat) with at least one customer message that day
--   fallback      a reply of kind 'fallback'; its reason tells timeouts from errors
--   recovery      a fallback followed in the same chat by a real answer (answer, late_answer,
--                 catalogue_answer, or the owner's own reply 'human') within the window
--   abandon       a fallback with no real answer within the window, once the window is over
--   pending       a fallback whose window is not over yet and has no real answer so far

CREATE TABLE public.conversation_events (
  id               uuid PRIMARY KEY,
  at               timestamptz NOT NULL,
  channel          text NOT NULL CHECK (btrim(channel) <> ''),
  chat_id          text NOT NULL CHECK (btrim(chat_id) <> ''),
  direction        text NOT NULL CHECK (direction IN ('in', 'out')),
  -- in: the message kind (text, photo, ...); out: the reply kind (answer, fallback, human, ...)
  kind             text NOT NULL CHECK (btrim(kind) <> ''),
  reason           text,
  text             text NOT NULL DEFAULT '',
  -- in: the platform's message id; out: null (reply_to lists the messages answered)
  message_id       text,
  reply_to         text[] NOT NULL DEFAULT '{}',
  model_latency_ms integer CHECK (model_latency_ms IS NULL OR model_latency_ms >= 0),
  customer_name    text,
  recorded_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_events_at_idx ON public.conversation_events (at);
CREATE INDEX conversation_events_chat_idx ON public.conversation_events (channel, chat_id, at);

ALTER TABLE public.conversation_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY conversation_events_service_role ON public.conversation_events
  FOR ALL TO service_role USING (true) WITH CHECK (true);
REVOKE ALL ON public.conversation_events FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.conversation_events TO service_role;

-- Writes a batch; an event already recorded (same id: a retried batch) is skipped.
-- Returns how many were new.
CREATE FUNCTION public.record_conversation_events(p_events jsonb) RETURNS integer
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
  ON CONFLICT (id) DO NOTHING;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END
$$;

-- The dashboard's figures per (UTC day, channel) for [p_from, p_to), and the model latency
-- percentiles (nearest rank). p_now decides which fallbacks are still pending.
CREATE FUNCTION public.conversation_stats(
  p_from                     timestamptz,
  p_to                       timestamptz,
  p_recovery_window_seconds  integer,
  p_now                      timestamptz
) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  WITH ev AS (
    SELECT e.* FROM public.conversation_events e WHERE e.at >= p_from AND e.at < p_to
  ),
  activity AS (
    SELECT (e.at AT TIME ZONE 'UTC')::date AS day, e.channel,
           count(DISTINCT e.chat_id) AS conversations, count(*) AS messages
    FROM ev e WHERE e.direction = 'in'
    GROUP BY 1, 2
  ),
  fallback AS (
    SELECT (f.at AT TIME ZONE 'UTC')::date AS day, f.channel,
           CASE WHEN f.reason IN ('timeout', 'rate_limit', 'provider_error') THEN f.reason ELSE 'internal' END AS reason,
           f.at + make_interval(secs => p_recovery_window_seconds) AS window_end,
           EXISTS (
             SELECT 1 FROM public.conversation_events r
             WHERE r.channel = f.channel AND r.chat_id = f.chat_id AND r.direction = 'out'
               AND r.kind IN ('answer', 'late_answer', 'catalogue_answer', 'human')
               AND r.at > f.at AND r.at <= f.at + make_interval(secs => p_recovery_window_seconds)
           ) AS recovered
    FROM ev f WHERE f.direction = 'out' AND f.kind = 'fallback'
  ),
  fallback_days AS (
    SELECT day, channel,
           count(*) FILTER (WHERE reason = 'timeout') AS timeout,
           count(*) FILTER (WHERE reason = 'rate_limit') AS rate_limit,
           count(*) FILTER (WHERE reason = 'provider_error') AS provider_error,
           count(*) FILTER (WHERE reason = 'internal') AS internal,
           count(*) FILTER (WHERE recovered) AS recoveries,
           count(*) FILTER (WHERE NOT recovered AND window_end <= p_now) AS abandons,
           count(*) FILTER (WHERE NOT recovered AND window_end > p_now) AS pending
    FROM fallback
    GROUP BY 1, 2
  ),
  order_days AS (
    SELECT (o.created_at AT TIME ZONE 'UTC')::date AS day, c.channel,
           count(*) AS orders, sum(o.subtotal_fcfa) AS revenue_fcfa
    FROM public.orders o JOIN public.customers c ON c.id = o.customer_id
    WHERE o.created_at >= p_from AND o.created_at < p_to AND o.status <> 'cancelled'
    GROUP BY 1, 2
  ),
  keys AS (
    SELECT day, channel FROM activity
    UNION SELECT day, channel FROM fallback_days
    UNION SELECT day, channel FROM order_days
  )
  SELECT jsonb_build_object(
    'rows', coalesce((
      SELECT jsonb_agg(jsonb_build_object(
               'day', to_char(k.day, 'YYYY-MM-DD'),
               'channel', k.channel,
               'conversations', coalesce(a.conversations, 0),
               'messages', coalesce(a.messages, 0),
               'fallbacks', jsonb_build_object(
                 'timeout', coalesce(f.timeout, 0),
                 'rate_limit', coalesce(f.rate_limit, 0),
                 'provider_error', coalesce(f.provider_error, 0),
                 'internal', coalesce(f.internal, 0)),
               'recoveries', coalesce(f.recoveries, 0),
               'abandons', coalesce(f.abandons, 0),
               'pending', coalesce(f.pending, 0),
               'orders', coalesce(o.orders, 0),
               'revenue_fcfa', coalesce(o.revenue_fcfa, 0)) ORDER BY k.day, k.channel)
      FROM keys k
      LEFT JOIN activity a ON a.day = k.day AND a.channel = k.channel
      LEFT JOIN fallback_days f ON f.day = k.day AND f.channel = k.channel
      LEFT JOIN order_days o ON o.day = k.day AND o.channel = k.channel), '[]'::jsonb),
    'latency', (
      SELECT jsonb_build_object(
               'count', count(*),
               'p50', percentile_disc(0.5) WITHIN GROUP (ORDER BY e.model_latency_ms),
               'p90', percentile_disc(0.9) WITHIN GROUP (ORDER BY e.model_latency_ms),
               'p99', percentile_disc(0.99) WITHIN GROUP (ORDER BY e.model_latency_ms))
      FROM ev e WHERE e.model_latency_ms IS NOT NULL))
$$;

-- The latest orders with where they came from, newest first.
CREATE FUNCTION public.recent_orders(p_limit integer) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT coalesce(jsonb_agg(r.j ORDER BY r.created_at DESC, r.number DESC), '[]'::jsonb)
  FROM (
    SELECT public.order_json(o.id, false) || jsonb_build_object('channel', c.channel, 'chat_id', c.chat_id) AS j,
           o.created_at, o.number
    FROM public.orders o JOIN public.customers c ON c.id = o.customer_id
    ORDER BY o.created_at DESC, o.number DESC
    LIMIT least(greatest(coalesce(p_limit, 20), 1), 200)
  ) r
$$;

-- The chats most recently active since p_since, each with its last p_events events (oldest first).
CREATE FUNCTION public.recent_conversations(p_since timestamptz, p_limit integer, p_events integer) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  WITH chats AS (
    SELECT e.channel, e.chat_id, max(e.at) AS last_at
    FROM public.conversation_events e
    WHERE e.at >= p_since
    GROUP BY 1, 2
    ORDER BY last_at DESC, e.channel, e.chat_id
    LIMIT least(greatest(coalesce(p_limit, 20), 1), 200)
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'channel', c.channel,
           'chat_id', c.chat_id,
           'last_at', c.last_at,
           'customer_name', (
             SELECT n.customer_name FROM public.conversation_events n
             WHERE n.channel = c.channel AND n.chat_id = c.chat_id AND n.customer_name IS NOT NULL
             ORDER BY n.at DESC LIMIT 1),
           'events', (
             SELECT coalesce(jsonb_agg(jsonb_build_object(
                      'id', x.id, 'at', x.at, 'direction', x.direction, 'kind', x.kind, 'reason', x.reason,
                      'text', x.text, 'message_id', x.message_id, 'reply_to', to_jsonb(x.reply_to), 'model_latency_ms', x.model_latency_ms,
                      'customer_name', x.customer_name) ORDER BY x.at, x.recorded_at), '[]'::jsonb)
             FROM (
               SELECT e.* FROM public.conversation_events e
               WHERE e.channel = c.channel AND e.chat_id = c.chat_id
               ORDER BY e.at DESC, e.recorded_at DESC
               LIMIT least(greatest(coalesce(p_events, 30), 1), 500)
             ) x)
         ) ORDER BY c.last_at DESC, c.channel, c.chat_id), '[]'::jsonb)
  FROM chats c
$$;

REVOKE ALL ON FUNCTION public.record_conversation_events(jsonb) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.conversation_stats(timestamptz, timestamptz, integer, timestamptz) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.recent_orders(integer) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.recent_conversations(timestamptz, integer, integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.record_conversation_events(jsonb) TO service_role;
GRANT EXECUTE ON FUNCTION public.conversation_stats(timestamptz, timestamptz, integer, timestamptz) TO service_role;
GRANT EXECUTE ON FUNCTION public.recent_orders(integer) TO service_role;
GRANT EXECUTE ON FUNCTION public.recent_conversations(timestamptz, integer, integer) TO service_role;
