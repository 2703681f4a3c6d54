-- Mode Ivoire shop: catalogue, delivery zones, customers and orders.
-- The same file runs on Supabase (PostgreSQL 15), on plain PostgreSQL and on PGlite.
-- Only the service_role (the bot's server key) may touch the data; orders are written
-- exclusively through place_order() so prices and stock are decided by the database.

-- Supabase provides these roles; plain PostgreSQL and PGlite do not.
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
      BEGIN
        IF r = 'service_role' THEN
          EXECUTE format('CREATE ROLE %I NOLOGIN BYPASSRLS', r);
        ELSE
          EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
      -- roles are cluster-wide: another database may create it at the same moment
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END;
    END IF;
  END LOOP;
END $$;

CREATE TABLE public.products (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name        text NOT NULL CHECK (btrim(name) <> ''),
  description text NOT NULL DEFAULT '',
  category    text NOT NULL,
  price_fcfa  integer NOT NULL CHECK (price_fcfa > 0),
  photo_url   text,
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.product_variants (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  product_id uuid NOT NULL REFERENCES public.products (id) ON DELETE CASCADE,
  size       text NOT NULL CHECK (btrim(size) <> ''),
  stock      integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
  UNIQUE (product_id, size)
);

CREATE TABLE public.delivery_zones (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text NOT NULL UNIQUE,
  aliases    text[] NOT NULL DEFAULT '{}',
  fee_fcfa   integer NOT NULL CHECK (fee_fcfa >= 0),
  delay      text NOT NULL,
  active     boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.customers (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  channel    text NOT NULL,
  chat_id    text NOT NULL,
  name       text,
  phone      text CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{6,14}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel, chat_id)
);

CREATE TABLE public.orders (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number            bigint GENERATED ALWAYS AS IDENTITY (START WITH 1001) UNIQUE,
  customer_id       uuid NOT NULL REFERENCES public.customers (id),
  zone_id           uuid NOT NULL REFERENCES public.delivery_zones (id),
  status            text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'confirmed', 'delivered', 'cancelled')),
  -- copied from the customer: the delivery goes to whoever and wherever was given at order time
  customer_name     text NOT NULL,
  phone             text NOT NULL,
  subtotal_fcfa     integer NOT NULL CHECK (subtotal_fcfa > 0),
  delivery_fee_fcfa integer NOT NULL CHECK (delivery_fee_fcfa >= 0),
  total_fcfa        integer NOT NULL,
  idempotency_key   text NOT NULL UNIQUE,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (total_fcfa = subtotal_fcfa + delivery_fee_fcfa)
);
CREATE INDEX orders_customer_id_idx ON public.orders (customer_id);
CREATE INDEX orders_created_at_idx ON public.orders (created_at DESC);

CREATE TABLE public.order_lines (
  order_id        uuid NOT NULL REFERENCES public.orders (id) ON DELETE CASCADE,
  line_no         smallint NOT NULL CHECK (line_no > 0),
  product_id      uuid NOT NULL REFERENCES public.products (id),
  variant_id      uuid NOT NULL REFERENCES public.product_variants (id),
  product_name    text NOT NULL,
  size            text NOT NULL,
  quantity        integer NOT NULL CHECK (quantity > 0),
  unit_price_fcfa integer NOT NULL CHECK (unit_price_fcfa > 0),
  line_total_fcfa integer NOT NULL,
  PRIMARY KEY (order_id, line_no),
  CHECK (line_total_fcfa = quantity * unit_price_fcfa)
);
CREATE INDEX order_lines_variant_id_idx ON public.order_lines (variant_id);

-- Row Level Security everywhere; only the service_role has a policy.
ALTER TABLE public.products ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.product_variants ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.delivery_zones ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.order_lines ENABLE ROW LEVEL SECURITY;

CREATE POLICY products_service_role ON public.products
  FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY product_variants_service_role ON public.product_variants
  FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY delivery_zones_service_role ON public.delivery_zones
  FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY customers_service_role ON public.customers
  FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY orders_service_role ON public.orders
  FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY order_lines_service_role ON public.order_lines
  FOR ALL TO service_role USING (true) WITH CHECK (true);

-- Supabase grants anon/authenticated everything on new tables by default; RLS alone would
-- hide the rows, revoking also keeps the tables out of the public data API.
REVOKE ALL ON public.products, public.product_variants, public.delivery_zones,
  public.customers, public.orders, public.order_lines FROM anon, authenticated;
GRANT USAGE ON SCHEMA public TO service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.products, public.product_variants,
  public.delivery_zones, public.customers, public.orders, public.order_lines TO service_role;
GRANT USAGE, SELECT ON SEQUENCE public.orders_number_seq TO service_role;

-- Case-, accent- and punctuation-insensitive key ("Port-Bouët" = "port bouet"),
-- without the unaccent extension, which PGlite and some hosts do not ship.
CREATE FUNCTION public.shop_fold(p text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT regexp_replace(
    replace(replace(
      translate(lower(p), 'àáâãäåçèéêëìíîïñòóôõöùúûüýÿ', 'aaaaaaceeeeiiiinooooouuuuyy'),
      'œ', 'oe'), 'æ', 'ae'),
    '[^a-z0-9]+', '', 'g')
$$;

-- The jsonb an order is reported as, by place_order and its duplicates alike.
CREATE FUNCTION public.order_json(p_order_id uuid, p_duplicate boolean) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = ''
AS $$
  SELECT jsonb_build_object(
    'order_id', o.id,
    'number', o.number,
    'status', o.status,
    'zone', jsonb_build_object('name', z.name, 'fee_fcfa', o.delivery_fee_fcfa, 'delay', z.delay),
    'lines', coalesce((
      SELECT jsonb_agg(jsonb_build_object(
               'product_id', l.product_id,
               'product_name', l.product_name,
               'size', l.size,
               'quantity', l.quantity,
               'unit_price_fcfa', l.unit_price_fcfa,
               'line_total_fcfa', l.line_total_fcfa) ORDER BY l.line_no)
      FROM public.order_lines l WHERE l.order_id = o.id), '[]'::jsonb),
    'subtotal_fcfa', o.subtotal_fcfa,
    'delivery_fee_fcfa', o.delivery_fee_fcfa,
    'total_fcfa', o.total_fcfa,
    'customer_name', o.customer_name,
    'phone', o.phone,
    'created_at', o.created_at,
    'duplicate', p_duplicate)
  FROM public.orders o
  JOIN public.delivery_zones z ON z.id = o.zone_id
  WHERE o.id = p_order_id
$$;

REVOKE ALL ON FUNCTION public.shop_fold(text) FROM PUBLIC, anon, authenticated;
REVOKE ALL ON FUNCTION public.order_json(uuid, boolean) FROM PUBLIC, anon, authenticated;
