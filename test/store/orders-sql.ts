/**
 * Small helpers to call the SQL functions directly and to add throw-away products, so each
 * test owns the stock it changes and tests never depend on one another.
 */
import { randomUUID } from 'node:crypto';
import type { SqlEngine } from './engines.js';

/** Arguments of place_order, with sensible defaults. */
export interface PlaceArgs {
  key?: string;
  channel?: string;
  chatId?: string;
  name?: string;
  phone?: string | null;
  zone?: string | null;
  lines?: unknown;
}

/** The jsonb place_order returns, loosely typed for assertions. */
export interface OrderJson {
  order_id: string;
  number: number;
  status: string;
  zone: { name: string; fee_fcfa: number; delay: string };
  lines: { product_id: string; product_name: string; size: string; quantity: number; unit_price_fcfa: number; line_total_fcfa: number }[];
  subtotal_fcfa: number;
  delivery_fee_fcfa: number;
  total_fcfa: number;
  customer_name: string;
  phone: string;
  created_at: string;
  duplicate: boolean;
}

/** The SQL call, positional like the function's signature. */
export const PLACE_ORDER_SQL = 'SELECT public.place_order($1, $2, $3, $4, $5, $6, $7::jsonb) AS o';

/** Positional parameters for {@link PLACE_ORDER_SQL}. */
export function placeParams(args: PlaceArgs = {}): unknown[] {
  return [
    args.key ?? randomUUID(),
    args.channel ?? 'telegram',
    args.chatId ?? `chat-${randomUUID()}`,
    args.name ?? 'Awa Koné',
    args.phone === undefined ? '+2250707070707' : args.phone,
    args.zone === undefined ? 'Marcory' : args.zone,
    JSON.stringify(args.lines ?? []),
  ];
}

/** Calls place_order and returns its jsonb. */
export async function placeOrder(engine: SqlEngine, args: PlaceArgs = {}): Promise<OrderJson> {
  const rows = await engine.query<{ o: OrderJson }>(PLACE_ORDER_SQL, placeParams(args));
  return rows[0]!.o;
}

/** The PostgreSQL error place_order raised, or a failure if it succeeded. */
export async function placeOrderError(
  engine: SqlEngine,
  args: PlaceArgs,
): Promise<{ code: string; message: string; detail?: string; hint?: string }> {
  try {
    await placeOrder(engine, args);
  } catch (error) {
    return error as { code: string; message: string; detail?: string; hint?: string };
  }
  throw new Error('place_order succeeded but was expected to fail');
}

/** Adds an active product with the given sizes/stock; returns its slug and id. */
export async function addProduct(
  engine: SqlEngine,
  options: { price: number; stock: Record<string, number>; name?: string; active?: boolean },
): Promise<{ slug: string; id: string; name: string }> {
  const slug = `test-${randomUUID().slice(0, 8)}`;
  const name = options.name ?? `Article ${slug}`;
  const [row] = await engine.query<{ id: string }>(
    `INSERT INTO public.products (slug, name, category, price_fcfa, active)
     VALUES ($1, $2, 'tests', $3, $4) RETURNING id`,
    [slug, name, options.price, options.active ?? true],
  );
  for (const [size, stock] of Object.entries(options.stock)) {
    await engine.query('INSERT INTO public.product_variants (product_id, size, stock) VALUES ($1, $2, $3)', [
      row!.id,
      size,
      stock,
    ]);
  }
  return { slug, id: row!.id, name };
}

/** Current stock of one size of a product. */
export async function stockOf(engine: SqlEngine, productId: string, size: string): Promise<number> {
  const rows = await engine.query<{ stock: number }>(
    'SELECT stock FROM public.product_variants WHERE product_id = $1 AND size = $2',
    [productId, size],
  );
  return rows[0]!.stock;
}

/** How many orders carry this idempotency key (0 or 1). */
export async function ordersWithKey(engine: SqlEngine, key: string): Promise<number> {
  const rows = await engine.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM public.orders WHERE idempotency_key = $1',
    [key],
  );
  return rows[0]!.n;
}
