/**
 * What both stores share: the SQL files under `supabase/`, the arguments of `place_order`,
 * and the mapping from database rows (snake_case) to domain objects (camelCase).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { OrderRejectedError, StoreError, parseRow } from './errors.js';
import type { DeliveryZone, OrderQuote, OrderRequest, PlacedOrder, Product, ProductSize, QuoteRequest } from './types.js';

/** One SQL file: its name (which orders migrations) and its text. */
export interface SqlFile {
  readonly name: string;
  readonly sql: string;
}

/**
 * The directory holding package.json, found by walking up from this module, so the same
 * code works from `src/store/` (vitest) and from `dist/src/store/` (after tsc).
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new StoreError('store.files', { message: `no package.json above ${from}` });
    dir = parent;
  }
}

/** `supabase/migrations/*.sql`, sorted by name (the timestamp prefix). */
export async function loadMigrations(root: string = packageRoot()): Promise<SqlFile[]> {
  const dir = join(root, 'supabase', 'migrations');
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  return Promise.all(names.map(async (name) => ({ name, sql: await readFile(join(dir, name), 'utf8') })));
}

/** `supabase/seed.sql`: the demo shop. */
export async function loadSeed(root: string = packageRoot()): Promise<SqlFile> {
  return { name: 'seed.sql', sql: await readFile(join(root, 'supabase', 'seed.sql'), 'utf8') };
}

/** Columns read for a product; the variants come embedded as `product_variants`. */
export const PRODUCT_COLUMNS = 'id, slug, name, description, category, price_fcfa, photo_url';
/** Columns read for a delivery zone. */
export const ZONE_COLUMNS = 'id, name, aliases, fee_fcfa, delay';

/** Named arguments of `public.place_order`, in declaration order. */
export const PLACE_ORDER_PARAMS = [
  'p_idempotency_key',
  'p_channel',
  'p_chat_id',
  'p_customer_name',
  'p_phone',
  'p_zone',
  'p_lines',
] as const;

/** The arguments of `place_order` for a request. Only id, size and quantity of a line are sent. */
export function placeOrderArgs(request: OrderRequest): Record<(typeof PLACE_ORDER_PARAMS)[number], unknown> {
  return {
    p_idempotency_key: request.idempotencyKey,
    p_channel: request.channel,
    p_chat_id: request.chatId,
    p_customer_name: request.customerName,
    p_phone: request.phone,
    p_zone: request.zone,
    p_lines: request.lines.map((line) => ({ product_id: line.productId, size: line.size, quantity: line.quantity })),
  };
}

/** The arguments of `quote_order`. */
export function quoteOrderArgs(request: QuoteRequest): { p_zone: string; p_lines: Record<string, unknown>[] } {
  return {
    p_zone: request.zone,
    p_lines: request.lines.map((line) => ({ product_id: line.productId, size: line.size, quantity: line.quantity })),
  };
}

const fcfa = z.number().int();

const productRow = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  price_fcfa: fcfa,
  photo_url: z.string().nullable(),
  product_variants: z.array(z.object({ size: z.string(), stock: z.number().int() })).nullable(),
});

const zoneRow = z.object({
  id: z.string(),
  name: z.string(),
  aliases: z.array(z.string()).nullable(),
  fee_fcfa: fcfa,
  delay: z.string(),
});

const placedOrderJson = z.object({
  order_id: z.string(),
  number: z.number().int(),
  status: z.enum(['pending', 'confirmed', 'delivered', 'cancelled']),
  zone: z.object({ name: z.string(), fee_fcfa: fcfa, delay: z.string() }),
  lines: z.array(
    z.object({
      product_id: z.string(),
      product_name: z.string(),
      size: z.string(),
      quantity: z.number().int(),
      unit_price_fcfa: fcfa,
      line_total_fcfa: fcfa,
    }),
  ),
  subtotal_fcfa: fcfa,
  delivery_fee_fcfa: fcfa,
  total_fcfa: fcfa,
  customer_name: z.string(),
  phone: z.string(),
  created_at: z.string(),
  duplicate: z.boolean(),
});

const SIZE_ORDER = ['XXS', 'XS', 'S', 'M', 'L', 'XL', 'XXL', '3XL'];

/** Orders sizes as a shop would: XS < S < M < L < XL, 38 < 40, then anything else by name. */
export function compareSizes(a: string, b: string): number {
  const rank = (size: string): number => {
    const index = SIZE_ORDER.indexOf(size.toUpperCase());
    if (index >= 0) return index;
    return /^\d+$/.test(size) ? 100 + Number(size) : 10_000;
  };
  return rank(a) - rank(b) || a.localeCompare(b, 'fr');
}

const collator = new Intl.Collator('fr', { sensitivity: 'base' });

/** Maps product rows (SQL or PostgREST, same shape) to products, sorted by category then name. */
export function toProducts(operation: string, rows: unknown): Product[] {
  const parsed = parseRow(operation, z.array(productRow), rows);
  return parsed
    .map((row): Product => ({
      id: row.id,
      slug: row.slug,
      name: row.name,
      description: row.description,
      category: row.category,
      priceFcfa: row.price_fcfa,
      photoUrl: row.photo_url,
      sizes: (row.product_variants ?? [])
        .map((v): ProductSize => ({ size: v.size, stock: v.stock }))
        .sort((a, b) => compareSizes(a.size, b.size)),
    }))
    .sort((a, b) => collator.compare(a.category, b.category) || collator.compare(a.name, b.name));
}

/** Maps zone rows to zones, sorted by name. */
export function toZones(operation: string, rows: unknown): DeliveryZone[] {
  return parseRow(operation, z.array(zoneRow), rows)
    .map((row): DeliveryZone => ({
      id: row.id,
      name: row.name,
      aliases: row.aliases ?? [],
      feeFcfa: row.fee_fcfa,
      delay: row.delay,
    }))
    .sort((a, b) => collator.compare(a.name, b.name));
}

/** Maps the jsonb returned by `place_order`. */
export function toPlacedOrder(operation: string, json: unknown): PlacedOrder {
  const o = parseRow(operation, placedOrderJson, json);
  return {
    orderId: o.order_id,
    number: o.number,
    status: o.status,
    zone: { name: o.zone.name, feeFcfa: o.zone.fee_fcfa, delay: o.zone.delay },
    lines: o.lines.map((l) => ({
      productId: l.product_id,
      productName: l.product_name,
      size: l.size,
      quantity: l.quantity,
      unitPriceFcfa: l.unit_price_fcfa,
      lineTotalFcfa: l.line_total_fcfa,
    })),
    subtotalFcfa: o.subtotal_fcfa,
    deliveryFeeFcfa: o.delivery_fee_fcfa,
    totalFcfa: o.total_fcfa,
    customerName: o.customer_name,
    phone: o.phone,
    createdAt: o.created_at,
    duplicate: o.duplicate,
  };
}

const quoteJson = z.object({
  zone: z.object({ name: z.string(), fee_fcfa: fcfa, delay: z.string() }),
  lines: z.array(
    z.object({
      product_id: z.string(),
      slug: z.string(),
      product_name: z.string(),
      size: z.string(),
      quantity: z.number().int(),
      unit_price_fcfa: fcfa,
      line_total_fcfa: fcfa,
    }),
  ),
  subtotal_fcfa: fcfa,
  delivery_fee_fcfa: fcfa,
  total_fcfa: fcfa,
});

/** Maps the jsonb returned by `quote_order`. */
export function toOrderQuote(operation: string, json: unknown): OrderQuote {
  const q = parseRow(operation, quoteJson, json);
  return {
    zone: { name: q.zone.name, feeFcfa: q.zone.fee_fcfa, delay: q.zone.delay },
    lines: q.lines.map((l) => ({
      productId: l.product_id,
      slug: l.slug,
      productName: l.product_name,
      size: l.size,
      quantity: l.quantity,
      unitPriceFcfa: l.unit_price_fcfa,
      lineTotalFcfa: l.line_total_fcfa,
    })),
    subtotalFcfa: q.subtotal_fcfa,
    deliveryFeeFcfa: q.delivery_fee_fcfa,
    totalFcfa: q.total_fcfa,
  };
}

/** An order id as the database writes it. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Rejects an order id that cannot name any order before it reaches the database, where a
 * malformed uuid would be a type error rather than a plain "no such order".
 */
export function assertOrderId(orderId: string): void {
  if (!UUID.test(orderId)) {
    throw new OrderRejectedError('unknown_order', `Commande introuvable : ${orderId}.`, { info: { orderId } });
  }
}
