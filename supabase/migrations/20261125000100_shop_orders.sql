-- Writing orders. Errors are raised with SQLSTATE P0001 and a machine-readable MESSAGE
-- (out_of_stock, unknown_zone, ...) that the application maps to a customer-facing answer;
-- DETAIL is a French sentence, HINT a JSON object with the facts (sizes left, stock, ...).

CREATE FUNCTION public.place_order(
  p_idempotency_key text,
  p_channel         text,
  p_chat_id         text,
  p_customer_name   text,
  p_phone           text,
  p_zone            text,
  p_lines           jsonb
) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_order_id   uuid;
  v_zone       public.delivery_zones%ROWTYPE;
  v_product    public.products%ROWTYPE;
  v_variant    public.product_variants%ROWTYPE;
  v_customer   uuid;
  v_line       jsonb;
  v_ref        text;
  v_size       text;
  v_qty        numeric;
  v_pos        integer;
  i            integer;
  v_stock      integer;
  v_sizes      text;
  v_subtotal   bigint := 0;
  -- one slot per distinct variant, in the order the customer asked for them
  v_variants   uuid[] := '{}';
  v_products   uuid[] := '{}';
  v_names      text[] := '{}';
  v_var_sizes  text[] := '{}';
  v_qtys       integer[] := '{}';
  v_prices     integer[] := '{}';
BEGIN
  IF coalesce(btrim(p_idempotency_key), '') = '' OR coalesce(btrim(p_channel), '') = ''
     OR coalesce(btrim(p_chat_id), '') = '' OR coalesce(btrim(p_customer_name), '') = '' THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_request',
      DETAIL = 'Clé d''idempotence, canal, conversation et nom du client sont obligatoires.';
  END IF;

  -- Serialise retries of the same order so the duplicate check below cannot race.
  PERFORM pg_advisory_xact_lock(4242, hashtext(p_idempotency_key));
  SELECT o.id INTO v_order_id FROM public.orders o WHERE o.idempotency_key = p_idempotency_key;
  IF FOUND THEN
    RETURN public.order_json(v_order_id, true);
  END IF;

  IF p_phone IS NULL OR p_phone !~ '^\+[1-9][0-9]{6,14}$' THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_phone',
      DETAIL = format('Numéro de téléphone invalide : %s (format attendu : +225XXXXXXXXXX).', coalesce(p_phone, '')),
      HINT = jsonb_build_object('phone', p_phone)::text;
  END IF;

  SELECT z.* INTO v_zone
  FROM public.delivery_zones z
  WHERE z.active
    AND (z.id::text = lower(btrim(p_zone))
         OR public.shop_fold(z.name) = public.shop_fold(p_zone)
         OR EXISTS (SELECT 1 FROM unnest(z.aliases) a WHERE public.shop_fold(a) = public.shop_fold(p_zone)))
  ORDER BY public.shop_fold(z.name) = public.shop_fold(p_zone) DESC, z.name
  LIMIT 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'unknown_zone',
      DETAIL = format('Zone de livraison inconnue : %s.', coalesce(p_zone, '')),
      HINT = jsonb_build_object('zone', p_zone)::text;
  END IF;

  IF p_lines IS NULL OR jsonb_typeof(p_lines) <> 'array' OR jsonb_array_length(p_lines) = 0 THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'empty_order', DETAIL = 'La commande ne contient aucun article.';
  END IF;
  IF jsonb_array_length(p_lines) > 50 THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_request', DETAIL = 'Pas plus de 50 lignes par commande.';
  END IF;

  FOR v_line IN SELECT e FROM jsonb_array_elements(p_lines) e LOOP
    IF jsonb_typeof(v_line) <> 'object' THEN
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_request', DETAIL = 'Chaque ligne doit être un objet.';
    END IF;
    -- any price or name sent by the caller is ignored: only these three keys are read
    v_ref := btrim(v_line ->> 'product_id');
    v_size := nullif(btrim(v_line ->> 'size'), '');
    IF jsonb_typeof(v_line -> 'quantity') IS DISTINCT FROM 'number' THEN
      v_qty := NULL;
    ELSE
      v_qty := (v_line ->> 'quantity')::numeric;
    END IF;
    IF v_qty IS NULL OR v_qty <> trunc(v_qty) OR v_qty < 1 OR v_qty > 99 THEN
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_quantity',
        DETAIL = format('Quantité invalide : %s (entre 1 et 99).', coalesce(v_line ->> 'quantity', 'absente')),
        HINT = jsonb_build_object('product_id', v_ref, 'quantity', v_line -> 'quantity')::text;
    END IF;

    SELECT p.* INTO v_product FROM public.products p
    WHERE p.slug = lower(v_ref) OR p.id::text = lower(v_ref);
    IF NOT FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'unknown_product',
        DETAIL = format('Article inconnu : %s.', coalesce(v_ref, '')),
        HINT = jsonb_build_object('product_id', v_ref)::text;
    END IF;
    IF NOT v_product.active THEN
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'product_unavailable',
        DETAIL = format('%s n''est plus disponible.', v_product.name),
        HINT = jsonb_build_object('product_id', v_product.id, 'product_name', v_product.name)::text;
    END IF;

    SELECT v.* INTO v_variant FROM public.product_variants v
    WHERE v.product_id = v_product.id
      AND (upper(v.size) = upper(v_size)
           -- a one-size item (bag, scarf) needs no size
           OR (v_size IS NULL AND (SELECT count(*) FROM public.product_variants w WHERE w.product_id = v_product.id) = 1));
    IF NOT FOUND THEN
      SELECT string_agg(v.size, ', ' ORDER BY array_position(ARRAY['XXS', 'XS', 'S', 'M', 'L', 'XL', 'XXL', '3XL'], upper(v.size)), v.size) INTO v_sizes
      FROM public.product_variants v WHERE v.product_id = v_product.id;
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'unknown_size',
        DETAIL = format('%s n''existe pas en taille %s (tailles : %s).', v_product.name, coalesce(v_size, '?'), coalesce(v_sizes, 'aucune')),
        HINT = jsonb_build_object('product_id', v_product.id, 'product_name', v_product.name, 'size', v_size,
          'sizes', (SELECT coalesce(jsonb_agg(v.size ORDER BY array_position(ARRAY['XXS', 'XS', 'S', 'M', 'L', 'XL', 'XXL', '3XL'], upper(v.size)), v.size), '[]'::jsonb)
                    FROM public.product_variants v WHERE v.product_id = v_product.id))::text;
    END IF;

    v_pos := array_position(v_variants, v_variant.id);
    IF v_pos IS NULL THEN
      v_variants := v_variants || v_variant.id;
      v_products := v_products || v_product.id;
      v_names := v_names || v_product.name;
      v_var_sizes := v_var_sizes || v_variant.size;
      v_qtys := v_qtys || v_qty::integer;
      v_prices := v_prices || v_product.price_fcfa;
    ELSE
      v_qtys[v_pos] := v_qtys[v_pos] + v_qty::integer;
    END IF;
  END LOOP;

  -- Lock in id order so two orders sharing variants cannot deadlock.
  PERFORM 1 FROM public.product_variants v WHERE v.id = ANY (v_variants) ORDER BY v.id FOR UPDATE;

  FOR i IN 1 .. array_length(v_variants, 1) LOOP
    SELECT v.stock INTO v_stock FROM public.product_variants v WHERE v.id = v_variants[i];
    IF v_stock < v_qtys[i] THEN
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'out_of_stock',
        DETAIL = format('%s (taille %s) : %s en stock, %s demandé(s).', v_names[i], v_var_sizes[i], v_stock, v_qtys[i]),
        HINT = jsonb_build_object('product_id', v_products[i], 'product_name', v_names[i],
          'size', v_var_sizes[i], 'available', v_stock, 'requested', v_qtys[i])::text;
    END IF;
    v_subtotal := v_subtotal + v_prices[i]::bigint * v_qtys[i];
  END LOOP;

  INSERT INTO public.customers AS c (channel, chat_id, name, phone)
  VALUES (btrim(p_channel), btrim(p_chat_id), btrim(p_customer_name), p_phone)
  ON CONFLICT (channel, chat_id) DO UPDATE
    SET name = excluded.name, phone = excluded.phone, updated_at = now()
  RETURNING c.id INTO v_customer;

  INSERT INTO public.orders (customer_id, zone_id, customer_name, phone,
                             subtotal_fcfa, delivery_fee_fcfa, total_fcfa, idempotency_key)
  VALUES (v_customer, v_zone.id, btrim(p_customer_name), p_phone,
          v_subtotal, v_zone.fee_fcfa, v_subtotal + v_zone.fee_fcfa, p_idempotency_key)
  RETURNING id INTO v_order_id;

  INSERT INTO public.order_lines (order_id, line_no, product_id, variant_id, product_name, size,
                                  quantity, unit_price_fcfa, line_total_fcfa)
  SELECT v_order_id, u.n, u.product_id, u.variant_id, u.name, u.size, u.qty, u.price, u.qty * u.price
  FROM unnest(v_variants, v_products, v_names, v_var_sizes, v_qtys, v_prices)
       WITH ORDINALITY AS u(variant_id, product_id, name, size, qty, price, n);

  UPDATE public.product_variants v SET stock = v.stock - u.qty
  FROM unnest(v_variants, v_qtys) AS u(variant_id, qty)
  WHERE v.id = u.variant_id;

  RETURN public.order_json(v_order_id, false);
END
$$;

-- For the shop owner: confirm, deliver or cancel. Cancelling puts the items back in stock.
CREATE FUNCTION public.set_order_status(p_order_id uuid, p_status text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_current text;
BEGIN
  IF p_status IS NULL OR p_status NOT IN ('pending', 'confirmed', 'delivered', 'cancelled') THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_status',
      DETAIL = format('Statut inconnu : %s.', coalesce(p_status, ''));
  END IF;

  SELECT o.status INTO v_current FROM public.orders o WHERE o.id = p_order_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'unknown_order',
      DETAIL = format('Commande introuvable : %s.', p_order_id);
  END IF;
  IF v_current = p_status THEN
    RETURN;
  END IF;
  IF NOT ((v_current = 'pending' AND p_status IN ('confirmed', 'delivered', 'cancelled'))
          OR (v_current = 'confirmed' AND p_status IN ('delivered', 'cancelled'))) THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'invalid_transition',
      DETAIL = format('Une commande « %s » ne peut pas passer à « %s ».', v_current, p_status),
      HINT = jsonb_build_object('from', v_current, 'to', p_status)::text;
  END IF;

  IF p_status = 'cancelled' THEN
    PERFORM 1 FROM public.product_variants v
    WHERE v.id IN (SELECT l.variant_id FROM public.order_lines l WHERE l.order_id = p_order_id)
    ORDER BY v.id FOR UPDATE;
    UPDATE public.product_variants v SET stock = v.stock + l.qty
    FROM (SELECT l.variant_id, sum(l.quantity)::integer AS qty
          FROM public.order_lines l WHERE l.order_id = p_order_id GROUP BY l.variant_id) l
    WHERE v.id = l.variant_id;
  END IF;

  UPDATE public.orders SET status = p_status, updated_at = now() WHERE id = p_order_id;
END
$$;

REVOKE ALL ON FUNCTION public.place_order(text, text, text, text, text, text, jsonb) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.set_order_status(uuid, text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.place_order(text, text, text, text, text, text, jsonb) TO service_role;
GRANT EXECUTE ON FUNCTION public.set_order_status(uuid, text) TO service_role;
