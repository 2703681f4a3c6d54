/**
 * The guided checkout's SQL (quote_order, customer_orders, order_by_id), written once and run
 * against real PostgreSQL and PGlite.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlEngine } from './engines.js';
import { addProduct, placeOrder, stockOf } from './orders-sql.js';

const QUOTE_SQL = 'SELECT public.quote_order($1, $2::jsonb) AS q';

async function sqlError(work: Promise<unknown>): Promise<{ code: string; message: string; hint?: string }> {
  try {
    await work;
  } catch (error) {
    return error as { code: string; message: string; hint?: string };
  }
  throw new Error('expected the statement to fail');
}

/** Registers the suite on an engine the calling test file opens and closes. */
export function describeCheckoutSql(name: string, engine: () => SqlEngine): void {
  describe(`the checkout's SQL on ${name}`, () => {
    let db: SqlEngine;
    beforeAll(() => {
      db = engine();
    });
    const quote = async (zone: string, lines: unknown) =>
      (await db.query<{ q: Record<string, unknown> }>(QUOTE_SQL, [zone, JSON.stringify(lines)]))[0]!.q;

    it('quotes what place_order charges, from the products table and the zone, reserving nothing', async () => {
      const p = await addProduct(db, { price: 45000, stock: { M: 2 } });
      const lines = [{ product_id: p.slug, size: 'm', quantity: 1, unit_price_fcfa: 1 }, { product_id: p.slug, size: 'M', quantity: 1 }];
      const quoted = await quote('zone 4', lines);
      expect(quoted).toEqual({
        zone: { name: 'Marcory', fee_fcfa: 2000, delay: '24–48 h' },
        lines: [{ product_id: p.id, slug: p.slug, product_name: p.name, size: 'M', quantity: 2, unit_price_fcfa: 45000, line_total_fcfa: 90000 }],
        subtotal_fcfa: 90000,
        delivery_fee_fcfa: 2000,
        total_fcfa: 92000,
      });
      expect(await stockOf(db, p.id, 'M')).toBe(2);
      const order = await placeOrder(db, { zone: 'Marcory', lines });
      expect(order.total_fcfa).toBe(quoted.total_fcfa);
    });

    it('refuses what place_order refuses, with the sizes left for a size sold out', async () => {
      const p = await addProduct(db, { price: 10000, stock: { S: 1, M: 0, L: 3 } });
      const soldOut = await sqlError(quote('Marcory', [{ product_id: p.slug, size: 'M', quantity: 1 }]));
      expect(soldOut).toMatchObject({ code: 'P0001', message: 'out_of_stock' });
      expect(JSON.parse(soldOut.hint!)).toMatchObject({ slug: p.slug, size: 'M', available: 0, requested: 1, sizes_left: ['S', 'L'] });
      expect(await sqlError(quote('Tombouctou', [{ product_id: p.slug, size: 'L', quantity: 1 }]))).toMatchObject({ message: 'unknown_zone' });
      expect(await sqlError(quote('Marcory', []))).toMatchObject({ message: 'empty_order' });
      expect(await sqlError(quote('Marcory', [{ product_id: p.slug, size: 'XXL', quantity: 1 }]))).toMatchObject({ message: 'unknown_size' });
      expect(await sqlError(quote('Marcory', [{ product_id: p.slug, size: 'L', quantity: 0 }]))).toMatchObject({ message: 'invalid_quantity' });
    });

    it("lists one chat's orders, newest first, and no other chat's; finds one order by id", async () => {
      const p = await addProduct(db, { price: 10000, stock: { M: 5 } });
      const chatId = `chat-${randomUUID()}`;
      const first = await placeOrder(db, { chatId, lines: [{ product_id: p.slug, size: 'M', quantity: 1 }] });
      const second = await placeOrder(db, { chatId, lines: [{ product_id: p.slug, size: 'M', quantity: 2 }] });
      await placeOrder(db, { lines: [{ product_id: p.slug, size: 'M', quantity: 1 }] });
      const [{ orders }] = await db.query<{ orders: { number: number; chat_id: string }[] }>('SELECT public.customer_orders($1, $2, $3) AS orders', ['telegram', chatId, 5]);
      expect(orders.map((order) => order.number)).toEqual([second.number, first.number]);
      expect(orders.every((order) => order.chat_id === chatId)).toBe(true);
      const [{ found }] = await db.query<{ found: { number: number; channel: string } }>('SELECT public.order_by_id($1::uuid) AS found', [first.order_id]);
      expect(found).toMatchObject({ number: first.number, channel: 'telegram', chat_id: chatId });
      const [{ none }] = await db.query<{ none: unknown }>('SELECT public.order_by_id($1::uuid) AS none', [randomUUID()]);
      expect(none).toBeNull();
    });

    it('closes the new functions to anon and authenticated, runs them as their owner with a fixed search_path', async () => {
      for (const role of ['anon', 'authenticated']) {
        expect(await sqlError(db.queryAs(role, QUOTE_SQL, ['Marcory', '[]']))).toMatchObject({ code: '42501' });
        expect(await sqlError(db.queryAs(role, 'SELECT public.customer_orders($1, $2, $3)', ['web', 'x', 1]))).toMatchObject({ code: '42501' });
        expect(await sqlError(db.queryAs(role, 'SELECT public.order_by_id($1::uuid)', [randomUUID()]))).toMatchObject({ code: '42501' });
      }
      const rows = await db.query<{ proname: string; prosecdef: boolean; config: string }>(
        `SELECT proname::text, prosecdef, array_to_string(proconfig, ',') AS config FROM pg_proc
         WHERE pronamespace = 'public'::regnamespace AND proname IN ('quote_order', 'customer_orders', 'order_by_id') ORDER BY proname`,
      );
      expect(rows).toEqual(['customer_orders', 'order_by_id', 'quote_order'].map((proname) => ({ proname, prosecdef: true, config: 'search_path=""' })));
    });
  });
}
