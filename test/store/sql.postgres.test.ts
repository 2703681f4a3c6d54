import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type SqlEngine } from './engines.js';
import { addProduct, ordersWithKey, PLACE_ORDER_SQL, placeParams, stockOf, type PlaceArgs } from './orders-sql.js';
import { describeCheckoutSql } from './checkout-sql-suite.js';
import { describePlaceOrder } from './place-order-suite.js';
import { describeStatusAndSecurity } from './status-security-suite.js';

let db: Awaited<ReturnType<typeof openPostgres>>;
beforeAll(async () => {
  db = await openPostgres();
});
afterAll(async () => {
  await db?.close();
});

const engine = (): SqlEngine => db;
describePlaceOrder('PostgreSQL', engine);
describeStatusAndSecurity('PostgreSQL', engine);
describeCheckoutSql('PostgreSQL', engine);

/**
 * Each call on its own connection, in a transaction held open a little after place_order so
 * that the calls really overlap instead of finishing one after another.
 */
async function placeConcurrently(calls: PlaceArgs[]): Promise<PromiseSettledResult<unknown>[]> {
  const clients = await Promise.all(calls.map(() => db.pool.connect()));
  try {
    return await Promise.allSettled(
      calls.map(async (args, i) => {
        const client = clients[i]!;
        await client.query('BEGIN');
        try {
          const { rows } = await client.query(PLACE_ORDER_SQL, placeParams(args));
          await client.query('SELECT pg_sleep(0.05)');
          await client.query('COMMIT');
          return rows[0].o as unknown;
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }),
    );
  } finally {
    for (const client of clients) client.release();
  }
}

describe('place_order under concurrency on PostgreSQL', () => {
  it('sells the last item exactly once among 10 simultaneous buyers', async () => {
    const p = await addProduct(db, { price: 75000, stock: { L: 1 } });
    const results = await placeConcurrently(
      Array.from({ length: 10 }, () => ({ lines: [{ product_id: p.slug, size: 'L', quantity: 1 }] })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { code: string; message: string }] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    for (const error of lost) expect(error).toMatchObject({ code: 'P0001', message: 'out_of_stock' });
    expect(await stockOf(db, p.id, 'L')).toBe(0);
    const [sold] = await db.query<{ n: number }>(
      'SELECT coalesce(sum(quantity), 0)::int AS n FROM public.order_lines WHERE product_id = $1',
      [p.id],
    );
    expect(sold!.n).toBe(1);
  });

  it('records one order when the same idempotency key arrives on several connections at once', async () => {
    const p = await addProduct(db, { price: 10000, stock: { M: 10 } });
    const key = randomUUID();
    const results = await placeConcurrently(
      Array.from({ length: 5 }, () => ({ key, lines: [{ product_id: p.slug, size: 'M', quantity: 2 }] })),
    );
    const orders = results.map((r) => {
      if (r.status === 'rejected') throw r.reason;
      return r.value as { order_id: string; duplicate: boolean };
    });
    expect(new Set(orders.map((o) => o.order_id)).size).toBe(1);
    expect(orders.filter((o) => !o.duplicate)).toHaveLength(1);
    expect(await ordersWithKey(db, key)).toBe(1);
    expect(await stockOf(db, p.id, 'M')).toBe(8);
  });

  it('does not deadlock when orders list the same items in opposite orders', async () => {
    const a = await addProduct(db, { price: 10000, stock: { M: 20 } });
    const b = await addProduct(db, { price: 10000, stock: { M: 20 } });
    const ab = [{ product_id: a.slug, size: 'M', quantity: 1 }, { product_id: b.slug, size: 'M', quantity: 1 }];
    const results = await placeConcurrently(
      Array.from({ length: 10 }, (_, i) => ({ lines: i % 2 === 0 ? ab : [...ab].reverse() })),
    );
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual([]);
    expect([await stockOf(db, a.id, 'M'), await stockOf(db, b.id, 'M')]).toEqual([10, 10]);
  });
});
