/**
 * set_order_status and the access rules (RLS, roles, grants), written once and run against
 * real PostgreSQL and PGlite.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlEngine } from './engines.js';
import { addProduct, PLACE_ORDER_SQL, placeOrder, placeParams, stockOf } from './orders-sql.js';

const TABLES = ['conversation_events', 'customers', 'delivery_zones', 'order_lines', 'orders', 'payments', 'product_variants', 'products'];

async function sqlError(work: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await work;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected the statement to fail');
}

/** Registers the status and security suite on an engine the calling test file opens and closes. */
export function describeStatusAndSecurity(name: string, engine: () => SqlEngine): void {
  describe(`set_order_status and access rules on ${name}`, () => {
    let db: SqlEngine;
    beforeAll(() => {
      db = engine();
    });

    const setStatus = (orderId: string, status: string): Promise<unknown> =>
      db.query('SELECT public.set_order_status($1::uuid, $2)', [orderId, status]);

    it('moves an order pending → confirmed → delivered', async () => {
      const p = await addProduct(db, { price: 10000, stock: { M: 2 } });
      const order = await placeOrder(db, { lines: [{ product_id: p.slug, size: 'M', quantity: 1 }] });
      await setStatus(order.order_id, 'confirmed');
      await setStatus(order.order_id, 'delivered');
      const [row] = await db.query<{ status: string; later: boolean }>(
        'SELECT status, updated_at >= created_at AS later FROM public.orders WHERE id = $1',
        [order.order_id],
      );
      expect(row).toEqual({ status: 'delivered', later: true });
      expect(await stockOf(db, p.id, 'M')).toBe(1);
      const back = await sqlError(setStatus(order.order_id, 'cancelled'));
      expect(back).toMatchObject({ code: 'P0001', message: 'invalid_transition' });
    });

    it('puts the items back in stock when an order is cancelled, once', async () => {
      const p = await addProduct(db, { price: 10000, stock: { M: 3, L: 1 } });
      const order = await placeOrder(db, {
        lines: [{ product_id: p.slug, size: 'M', quantity: 2 }, { product_id: p.slug, size: 'L', quantity: 1 }],
      });
      expect([await stockOf(db, p.id, 'M'), await stockOf(db, p.id, 'L')]).toEqual([1, 0]);
      await setStatus(order.order_id, 'cancelled');
      await setStatus(order.order_id, 'cancelled');
      expect([await stockOf(db, p.id, 'M'), await stockOf(db, p.id, 'L')]).toEqual([3, 1]);
    });

    it('rejects unknown orders and statuses', async () => {
      expect(await sqlError(setStatus(randomUUID(), 'confirmed'))).toMatchObject({ code: 'P0001', message: 'unknown_order' });
      const p = await addProduct(db, { price: 10000, stock: { M: 1 } });
      const order = await placeOrder(db, { lines: [{ product_id: p.slug, size: 'M', quantity: 1 }] });
      expect(await sqlError(setStatus(order.order_id, 'shipped'))).toMatchObject({ code: 'P0001', message: 'invalid_status' });
    });

    it('enables row level security on every table, with a policy for service_role only', async () => {
      const rls = await db.query<{ relname: string; relrowsecurity: boolean }>(
        `SELECT relname, relrowsecurity FROM pg_class
         WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname`,
      );
      expect(rls).toEqual(TABLES.map((relname) => ({ relname, relrowsecurity: true })));
      const policies = await db.query<{ tablename: string; roles: string }>(
        `SELECT tablename::text, array_to_string(roles, ',') AS roles FROM pg_policies
         WHERE schemaname = 'public' ORDER BY tablename`,
      );
      expect(policies).toEqual(TABLES.map((tablename) => ({ tablename, roles: 'service_role' })));
    });

    it('runs the order functions as their owner with a fixed search_path', async () => {
      const rows = await db.query<{ proname: string; prosecdef: boolean; config: string }>(
        `SELECT proname::text, prosecdef, array_to_string(proconfig, ',') AS config FROM pg_proc
         WHERE pronamespace = 'public'::regnamespace AND proname IN ('place_order', 'set_order_status')
         ORDER BY proname`,
      );
      expect(rows).toEqual([
        { proname: 'place_order', prosecdef: true, config: 'search_path=""' },
        { proname: 'set_order_status', prosecdef: true, config: 'search_path=""' },
      ]);
    });

    it('refuses anon and authenticated: no function, no table', async () => {
      const p = await addProduct(db, { price: 10000, stock: { M: 5 } });
      const params = placeParams({ lines: [{ product_id: p.slug, size: 'M', quantity: 1 }] });
      for (const role of ['anon', 'authenticated']) {
        const call = await sqlError(db.queryAs(role, PLACE_ORDER_SQL, params));
        expect(call).toMatchObject({ code: '42501' });
        expect(call.message).toMatch(/permission denied for function place_order/);
        const status = await sqlError(db.queryAs(role, 'SELECT public.set_order_status($1::uuid, $2)', [randomUUID(), 'confirmed']));
        expect(status).toMatchObject({ code: '42501' });
        for (const table of TABLES) {
          expect(await sqlError(db.queryAs(role, `SELECT * FROM public.${table} LIMIT 1`))).toMatchObject({ code: '42501' });
        }
      }
      expect(await stockOf(db, p.id, 'M')).toBe(5);
    });

    it('lets service_role read the catalogue and place orders', async () => {
      const p = await addProduct(db, { price: 10000, stock: { M: 5 } });
      const products = await db.queryAs<{ n: number }>('service_role', 'SELECT count(*)::int AS n FROM public.products');
      expect(products[0]!.n).toBeGreaterThan(10);
      const [row] = await db.queryAs<{ o: { total_fcfa: number } }>(
        'service_role',
        PLACE_ORDER_SQL,
        placeParams({ lines: [{ product_id: p.slug, size: 'M', quantity: 1 }] }),
      );
      expect(row!.o.total_fcfa).toBe(12000);
    });
  });
}
