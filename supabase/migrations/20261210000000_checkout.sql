-- The guided checkout: the total of a cart before it is ordered (computed here, like
-- place_order's, from the products table and the zone's fee), and the orders of one chat,
-- for "où en est ma commande ?" and for telling a customer that the owner moved an order on.
-- Errors are place_order's: SQLSTATE P0001, a machine-readable MESSAGE, a French DETAIL and
-- the facts as JSON in HINT.

CREATE FUNCTION public.quote_order(p_zone text, p_lines jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_zone      public.delivery_zones%ROWTYPE;
  v_product   public.products%ROWTYPE;
  v_variant   public.product_variants%ROWTYPE;
  v_line      jsonb;
  v_ref       text;
  v_size      text;
  v_qty       numeric;
  v_pos       integer;
  v_sizes     jsonb;
  v_subtotal  bigint := 0;
  v_lines     jsonb := '[]'::jsonb;
  i           integer;
  v_variants  uuid[] := '{}';
  v_products  uuid[] := '{}';
  v_slugs     text[] := '{}';
  v_names     text[] := '{}';
  v_var_sizes text[] := '{}';
  v_stocks    integer[] := '{}';
  v_qtys      integer[] := '{}';
  v_prices    integer[] := '{}';
BEGIN
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
           OR (v_size IS NULL AND (SELECT count(*) FROM public.product_variants w WHERE w.product_id = v_product.id) = 1));
    IF NOT FOUND THEN
      SELECT coalesce(jsonb_agg(v.size ORDER BY array_position(ARRAY['XXS', 'XS', 'S', 'M', 'L', 'XL', 'XXL', '3XL'], upper(v.size)), v.size), '[]'::jsonb)
        INTO v_sizes FROM public.product_variants v WHERE v.product_id = v_product.id;
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'unknown_size',
        DETAIL = format('%s n''existe pas en taille %s.', v_product.name, coalesce(v_size, '?')),
        HINT = jsonb_build_object('product_id', v_product.id, 'product_name', v_product.name, 'size', v_size, 'sizes', v_sizes)::text;
    END IF;

    v_pos := array_position(v_variants, v_variant.id);
    IF v_pos IS NULL THEN
      v_variants := v_variants || v_variant.id;
      v_products := v_products || v_product.id;
      v_slugs := v_slugs || v_product.slug;
      v_names := v_names || v_product.name;
      v_var_sizes := v_var_sizes || v_variant.size;
      v_stocks := v_stocks || v_variant.stock;
      v_qtys := v_qtys || v_qty::integer;
      v_prices := v_prices || v_product.price_fcfa;
    ELSE
      v_qtys[v_pos] := v_qtys[v_pos] + v_qty::integer;
    END IF;
  END LOOP;

  -- No lock: a quote promises nothing; place_order checks the stock again under its lock.
  FOR i IN 1 .. array_length(v_variants, 1) LOOP
    IF v_stocks[i] < v_qtys[i] THEN
      SELECT coalesce(jsonb_agg(v.size ORDER BY array_position(ARRAY['XXS', 'XS', 'S', 'M', 'L', 'XL', 'XXL', '3XL'], upper(v.size)), v.size), '[]'::jsonb)
        INTO v_sizes FROM public.product_variants v WHERE v.product_id = v_products[i] AND v.stock > 0;
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'out_of_stock',
        DETAIL = format('%s (taille %s) : %s en stock, %s demandé(s).', v_names[i], v_var_sizes[i], v_stocks[i], v_qtys[i]),
        HINT = jsonb_build_object('product_id', v_products[i], 'product_name', v_names[i], 'slug', v_slugs[i],
          'size', v_var_sizes[i], 'available', v_stocks[i], 'requested', v_qtys[i], 'sizes_left', v_sizes)::text;
    END IF;
    v_subtotal := v_subtotal + v_prices[i]::bigint * v_qtys[i];
    v_lines := v_lines || jsonb_build_object(
      'product_id', v_products[i], 'slug', v_slugs[i], 'product_name', v_names[i], 'size', v_var_sizes[i],
      'quantity', v_qtys[i], 'unit_price_fcfa', v_prices[i], 'line_total_fcfa', v_prices[i] * v_qtys[i]);
  END LOOP;

  RETURN jsonb_build_object(
    'zone', jsonb_build_object('name', v_zone.name, 'fee_fcfa', v_zone.fee_fcfa, 'delay', v_zone.delay),
    'lines', v_lines,
    'subtotal_fcfa', v_subtotal,
    'delivery_fee_fcfa', v_zone.fee_fcfa,
    'total_fcfa', v_subtotal + v_zone.fee_fcfa);
END
$$;

-- The latest orders of one chat, newest first, as recent_orders reports them.
CREATE FUNCTION public.customer_orders(p_channel text, p_chat_id text, p_limit integer) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT coalesce(jsonb_agg(r.j ORDER BY r.created_at DESC, r.number DESC), '[]'::jsonb)
  FROM (
    SELECT public.order_json(o.id, false) || jsonb_build_object('channel', c.channel, 'chat_id', c.chat_id) AS j,
           o.created_at, o.number
    FROM public.orders o JOIN public.customers c ON c.id = o.customer_id
    WHERE c.channel = btrim(p_channel) AND c.chat_id = btrim(p_chat_id)
    ORDER BY o.created_at DESC, o.number DESC
    LIMIT least(greatest(coalesce(p_limit, 5), 1), 50)
  ) r
$$;

-- One order with the chat it came from, or null.
CREATE FUNCTION public.order_by_id(p_order_id uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT public.order_json(o.id, false) || jsonb_build_object('channel', c.channel, 'chat_id', c.chat_id)
  FROM public.orders o JOIN public.customers c ON c.id = o.customer_id
  WHERE o.id = p_order_id
$$;

REVOKE ALL ON FUNCTION public.quote_order(text, jsonb) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.customer_orders(text, text, integer) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.order_by_id(uuid) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.quote_order(text, jsonb) TO service_role;
GRANT EXECUTE ON FUNCTION public.customer_orders(text, text, integer) TO service_role;
GRANT EXECUTE ON FUNCTION public.order_by_id(uuid) TO service_role;
