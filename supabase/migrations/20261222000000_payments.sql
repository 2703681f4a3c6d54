-- Mobile-money payments (src/shop/payments): one row per payment link sent to a customer,
-- Wave or CinetPay. Same rules as the shop's tables: RLS on, only the service_role, and every
-- write through a function, so the state machine holds whoever calls.
--
-- The state machine and its only transitions, each taken at most once whatever arrives twice
-- or out of order (the row is locked, then its current status decides):
--   pending → paid | failed | expired | review    (a status check with the provider)
--   paid    → refunded                            (noted by the owner)
--   review  → paid | refunded                     (the owner's decision)
-- "review": the provider reports a payment whose amount or currency is not the order's, or a
-- payment of a cancelled order. It is never counted as paid unless the owner says so.
-- An order has at most one payment that is pending, paid or under review.

CREATE TABLE public.payments (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id          uuid NOT NULL REFERENCES public.orders (id),
  provider          text NOT NULL CHECK (provider IN ('wave', 'cinetpay')),
  -- ours, sent to the provider: Wave's client_reference, CinetPay's transaction_id
  reference         text NOT NULL UNIQUE CHECK (reference ~ '^[A-Za-z0-9_-]{6,64}$'),
  -- the provider's own id: Wave's checkout session id, CinetPay's payment token
  provider_ref      text,
  url               text NOT NULL CHECK (url ~ '^https?://'),
  -- whole FCFA, always the order's total at the time the link was made
  amount_fcfa       integer NOT NULL CHECK (amount_fcfa > 0),
  currency          text NOT NULL DEFAULT 'XOF' CHECK (currency = 'XOF'),
  status            text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'paid', 'failed', 'expired', 'review', 'refunded')),
  -- why it failed or needs review, in a few words
  detail            text,
  -- what the provider said it received (kept for the owner's review)
  received_amount   bigint,
  received_currency text,
  transaction_id    text,
  expires_at        timestamptz,
  checks            integer NOT NULL DEFAULT 0 CHECK (checks >= 0),
  next_check_at     timestamptz,
  -- the status the customer and the owner were last told about
  notified_status   text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  settled_at        timestamptz
);
CREATE UNIQUE INDEX payments_one_open_per_order ON public.payments (order_id)
  WHERE status IN ('pending', 'paid', 'review');
CREATE INDEX payments_order_idx ON public.payments (order_id, created_at DESC);
CREATE INDEX payments_due_idx ON public.payments (next_check_at) WHERE status = 'pending';
CREATE INDEX payments_settled_idx ON public.payments (settled_at) WHERE status = 'paid';

ALTER TABLE public.payments ENABLE ROW LEVEL SECURITY;
CREATE POLICY payments_service_role ON public.payments
  FOR ALL TO service_role USING (true) WITH CHECK (true);
REVOKE ALL ON public.payments FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.payments TO service_role;

-- The jsonb a payment is reported as, with its order's number and the chat it came from.
CREATE FUNCTION public.payment_json(p_payment_id uuid) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = ''
AS $$
  SELECT jsonb_build_object(
    'id', p.id, 'order_id', p.order_id, 'order_number', o.number, 'order_status', o.status,
    'channel', c.channel, 'chat_id', c.chat_id,
    'provider', p.provider, 'reference', p.reference, 'provider_ref', p.provider_ref, 'url', p.url,
    'amount_fcfa', p.amount_fcfa, 'currency', p.currency, 'status', p.status, 'detail', p.detail,
    'received_amount', p.received_amount, 'received_currency', p.received_currency,
    'transaction_id', p.transaction_id, 'expires_at', p.expires_at, 'checks', p.checks,
    'next_check_at', p.next_check_at, 'notified_status', p.notified_status,
    'created_at', p.created_at, 'settled_at', p.settled_at)
  FROM public.payments p
  JOIN public.orders o ON o.id = p.order_id
  JOIN public.customers c ON c.id = o.customer_id
  WHERE p.id = p_payment_id
$$;

-- Records a payment link the provider just created. The amount must be the order's total.
-- If the order already has a payment pending, paid or under review, that one is returned
-- unchanged ("changed": false): a retried start never makes a second link count.
CREATE FUNCTION public.open_payment(
  p_order_id      uuid,
  p_provider      text,
  p_reference     text,
  p_provider_ref  text,
  p_url           text,
  p_amount_fcfa   integer,
  p_expires_at    timestamptz,
  p_next_check_at timestamptz
) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_order    public.orders%ROWTYPE;
  v_existing uuid;
  v_id       uuid;
BEGIN
  -- Locking the order serialises two starts of the same order's payment.
  SELECT o.* INTO v_order FROM public.orders o WHERE o.id = p_order_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'unknown_order',
      DETAIL = format('Commande introuvable : %s.', p_order_id);
  END IF;
  IF v_order.status = 'cancelled' THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_request',
      DETAIL = format('La commande n°%s est annulée : pas de paiement.', v_order.number);
  END IF;
  IF p_amount_fcfa IS DISTINCT FROM v_order.total_fcfa THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_request',
      DETAIL = format('Montant %s FCFA différent du total de la commande n°%s (%s FCFA).',
                      coalesce(p_amount_fcfa::text, '?'), v_order.number, v_order.total_fcfa);
  END IF;

  SELECT p.id INTO v_existing FROM public.payments p
  WHERE p.order_id = p_order_id AND p.status IN ('pending', 'paid', 'review');
  IF FOUND THEN
    RETURN jsonb_build_object('changed', false, 'payment', public.payment_json(v_existing));
  END IF;

  INSERT INTO public.payments (order_id, provider, reference, provider_ref, url, amount_fcfa,
                               expires_at, next_check_at)
  VALUES (p_order_id, p_provider, p_reference, p_provider_ref, p_url, p_amount_fcfa,
          p_expires_at, p_next_check_at)
  RETURNING id INTO v_id;
  RETURN jsonb_build_object('changed', true, 'payment', public.payment_json(v_id));
END
$$;

-- Moves a payment along the state machine. p_by = 'provider' (a status check) may only move
-- a pending payment; p_by = 'owner' may note a refund, or settle a payment under review.
-- A provider's "paid" becomes "review" when the amount or the currency it reports is not the
-- payment's, or the order was cancelled meanwhile. Returns {"changed", "payment"}; a move
-- that is no longer possible (already paid, a late "failed"…) changes nothing.
-- p_facts: {"detail", "received_amount", "received_currency", "transaction_id"}.
CREATE FUNCTION public.settle_payment(p_payment_id uuid, p_status text, p_by text, p_facts jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_payment  public.payments%ROWTYPE;
  v_order    text;
  v_to       text := p_status;
  v_detail   text := nullif(btrim(p_facts ->> 'detail'), '');
  v_amount   bigint;
  v_currency text := upper(nullif(btrim(p_facts ->> 'received_currency'), ''));
BEGIN
  IF p_by IS NULL OR p_by NOT IN ('provider', 'owner') THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_request', DETAIL = 'p_by : provider ou owner.';
  END IF;
  IF p_status IS NULL OR p_status NOT IN ('paid', 'failed', 'expired', 'refunded') THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_status',
      DETAIL = format('Statut de paiement inconnu : %s.', coalesce(p_status, ''));
  END IF;
  IF jsonb_typeof(p_facts -> 'received_amount') = 'number' THEN
    v_amount := (p_facts ->> 'received_amount')::numeric;
  END IF;

  SELECT p.* INTO v_payment FROM public.payments p WHERE p.id = p_payment_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'unknown_order',
      DETAIL = format('Paiement introuvable : %s.', p_payment_id);
  END IF;
  SELECT o.status INTO v_order FROM public.orders o WHERE o.id = v_payment.order_id;

  IF p_by = 'provider' THEN
    IF v_payment.status <> 'pending' OR p_status = 'refunded' THEN
      RETURN jsonb_build_object('changed', false, 'payment', public.payment_json(p_payment_id));
    END IF;
    IF p_status = 'paid' THEN
      IF v_amount IS DISTINCT FROM v_payment.amount_fcfa::bigint OR v_currency IS DISTINCT FROM v_payment.currency THEN
        v_to := 'review';
        v_detail := format('montant reçu %s %s, attendu %s %s',
                           coalesce(v_amount::text, '?'), coalesce(v_currency, '?'), v_payment.amount_fcfa, v_payment.currency);
      ELSIF v_order = 'cancelled' THEN
        v_to := 'review';
        v_detail := 'commande annulée avant le paiement';
      END IF;
    END IF;
  ELSE
    IF v_payment.status = p_status THEN
      RETURN jsonb_build_object('changed', false, 'payment', public.payment_json(p_payment_id));
    END IF;
    IF NOT ((v_payment.status = 'paid' AND p_status = 'refunded')
            OR (v_payment.status = 'review' AND p_status IN ('paid', 'refunded'))) THEN
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_transition',
        DETAIL = format('Un paiement « %s » ne peut pas passer à « %s ».', v_payment.status, p_status),
        HINT = jsonb_build_object('from', v_payment.status, 'to', p_status)::text;
    END IF;
  END IF;

  UPDATE public.payments p
  SET status = v_to,
      detail = coalesce(v_detail, p.detail),
      received_amount = coalesce(v_amount, p.received_amount),
      received_currency = coalesce(v_currency, p.received_currency),
      transaction_id = coalesce(nullif(btrim(p_facts ->> 'transaction_id'), ''), p.transaction_id),
      next_check_at = NULL,
      settled_at = now(),
      updated_at = now()
  WHERE p.id = p_payment_id;
  RETURN jsonb_build_object('changed', true, 'payment', public.payment_json(p_payment_id));
END
$$;

-- Notes a status check that found the payment still pending, and when to check again.
CREATE FUNCTION public.schedule_payment_check(p_payment_id uuid, p_next_check_at timestamptz) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
  UPDATE public.payments
  SET checks = checks + 1, next_check_at = p_next_check_at, updated_at = now()
  WHERE id = p_payment_id AND status = 'pending'
$$;

-- Notes that the customer and the owner were told of p_status (if it is still the status).
CREATE FUNCTION public.mark_payment_notified(p_payment_id uuid, p_status text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
  UPDATE public.payments SET notified_status = p_status, updated_at = now()
  WHERE id = p_payment_id AND status = p_status
$$;

-- One payment, the latest matching: {"id"}, {"reference"}, {"order_id"} or {"channel", "chat_id"}.
CREATE FUNCTION public.find_payment(p_query jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_id uuid;
BEGIN
  IF p_query ? 'id' THEN
    SELECT p.id INTO v_id FROM public.payments p WHERE p.id::text = p_query ->> 'id';
  ELSIF p_query ? 'reference' THEN
    SELECT p.id INTO v_id FROM public.payments p WHERE p.reference = p_query ->> 'reference';
  ELSIF p_query ? 'order_id' THEN
    SELECT p.id INTO v_id FROM public.payments p
    WHERE p.order_id::text = p_query ->> 'order_id' ORDER BY p.created_at DESC, p.id LIMIT 1;
  ELSIF p_query ? 'channel' AND p_query ? 'chat_id' THEN
    SELECT p.id INTO v_id FROM public.payments p
    JOIN public.orders o ON o.id = p.order_id
    JOIN public.customers c ON c.id = o.customer_id
    WHERE c.channel = p_query ->> 'channel' AND c.chat_id = p_query ->> 'chat_id'
    ORDER BY p.created_at DESC, p.id LIMIT 1;
  ELSE
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_request',
      DETAIL = 'Recherche par id, reference, order_id ou channel et chat_id.';
  END IF;
  RETURN CASE WHEN v_id IS NULL THEN NULL ELSE public.payment_json(v_id) END;
END
$$;

-- Payments to act on, oldest first: {"due": <timestamptz>} the pending ones whose next check
-- is due, or {"unnotified": true} those paid, failed or under review whose news has not gone out.
CREATE FUNCTION public.list_payments(p_query jsonb, p_limit integer) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT coalesce(jsonb_agg(public.payment_json(x.id) ORDER BY x.at, x.id), '[]'::jsonb)
  FROM (
    SELECT p.id, coalesce(p.next_check_at, p.updated_at) AS at
    FROM public.payments p
    WHERE (p_query ? 'due' AND p.status = 'pending' AND p.next_check_at <= (p_query ->> 'due')::timestamptz)
       OR (p_query ? 'unnotified' AND p.status IN ('paid', 'failed', 'review')
           AND p.notified_status IS DISTINCT FROM p.status)
    ORDER BY 2, 1
    LIMIT least(greatest(coalesce(p_limit, 50), 1), 500)
  ) x
$$;

-- Money received per UTC day (Abidjan's day) over [p_from, p_to): payments paid, by the day
-- they were settled; refunded ones and those under review do not count.
CREATE FUNCTION public.payment_totals(p_from timestamptz, p_to timestamptz) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('day', to_char(d.day, 'YYYY-MM-DD'), 'paid_fcfa', d.paid, 'payments', d.n)
                            ORDER BY d.day), '[]'::jsonb)
  FROM (
    SELECT (p.settled_at AT TIME ZONE 'UTC')::date AS day, sum(p.amount_fcfa) AS paid, count(*) AS n
    FROM public.payments p
    WHERE p.status = 'paid' AND p.settled_at >= p_from AND p.settled_at < p_to
    GROUP BY 1
  ) d
$$;

-- The latest orders now carry their latest payment (null when paid on delivery).
CREATE OR REPLACE FUNCTION public.recent_orders(p_limit integer) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT coalesce(jsonb_agg(r.j ORDER BY r.created_at DESC, r.number DESC), '[]'::jsonb)
  FROM (
    SELECT public.order_json(o.id, false)
           || jsonb_build_object('channel', c.channel, 'chat_id', c.chat_id,
                                 'payment', (SELECT public.payment_json(p.id) FROM public.payments p
                                             WHERE p.order_id = o.id ORDER BY p.created_at DESC, p.id LIMIT 1)) AS j,
           o.created_at, o.number
    FROM public.orders o JOIN public.customers c ON c.id = o.customer_id
    ORDER BY o.created_at DESC, o.number DESC
    LIMIT least(greatest(coalesce(p_limit, 20), 1), 200)
  ) r
$$;

REVOKE ALL ON FUNCTION public.payment_json(uuid) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.open_payment(uuid, text, text, text, text, integer, timestamptz, timestamptz) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.settle_payment(uuid, text, text, jsonb) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.schedule_payment_check(uuid, timestamptz) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.mark_payment_notified(uuid, text) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.find_payment(jsonb) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.list_payments(jsonb, integer) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.payment_totals(timestamptz, timestamptz) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.recent_orders(integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.payment_json(uuid) TO service_role;
GRANT EXECUTE ON FUNCTION public.open_payment(uuid, text, text, text, text, integer, timestamptz, timestamptz) TO service_role;
GRANT EXECUTE ON FUNCTION public.settle_payment(uuid, text, text, jsonb) TO service_role;
GRANT EXECUTE ON FUNCTION public.schedule_payment_check(uuid, timestamptz) TO service_role;
GRANT EXECUTE ON FUNCTION public.mark_payment_notified(uuid, text) TO service_role;
GRANT EXECUTE ON FUNCTION public.find_payment(jsonb) TO service_role;
GRANT EXECUTE ON FUNCTION public.list_payments(jsonb, integer) TO service_role;
GRANT EXECUTE ON FUNCTION public.payment_totals(timestamptz, timestamptz) TO service_role;
GRANT EXECUTE ON FUNCTION public.recent_orders(integer) TO service_role;
