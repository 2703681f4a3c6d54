/**
 * place_order's behaviour, written once and run against real PostgreSQL and PGlite.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSeed } from '../../src/store/sql.js';
import type { SqlEngine } from './engines.js';
import { addProduct, ordersWithKey, placeOrder, placeOrderError, stockOf } from './orders-sql.js';

/** Registers the place_order suite on an engine the calling test file opens and closes. */
export function describePlaceOrder(name: string, engine: () => SqlEngine): void {
  describe(`place_order on ${name}`, () => {
    let db: SqlEngine;
    beforeAll(() => {
      db = engine();
    });

    it('ships the demo shop from the seed, and running the seed again changes nothing', async () => {
      const robe = await db.query<{ price_fcfa: number; description: string; sizes: string }>(
        `SELECT p.price_fcfa, p.description, string_agg(v.size, ',' ORDER BY v.size) AS sizes
         FROM public.products p JOIN public.product_variants v ON v.product_id = p.id
         WHERE p.name = 'Robe Cocktail Bordeaux' GROUP BY p.id`,
      );
      expect(robe).toEqual([{ price_fcfa: 45000, description: 'Idéale pour cérémonies', sizes: 'L,M,S,XL' }]);
      const [marcory] = await db.query(`SELECT fee_fcfa, delay FROM public.delivery_zones WHERE name = 'Marcory'`);
      expect(marcory).toEqual({ fee_fcfa: 2000, delay: '24–48 h' });
      const count = async (): Promise<unknown> =>
        (await db.query(`SELECT (SELECT count(*) FROM public.products)::int AS p,
          (SELECT count(*) FROM public.product_variants)::int AS v, (SELECT count(*) FROM public.delivery_zones)::int AS z,
          (SELECT count(*) FROM public.product_variants WHERE stock = 0)::int AS sold_out`))[0];
      const before = await count();
      expect(before).toMatchObject({ z: 10 });
      expect((before as { sold_out: number }).sold_out).toBeGreaterThan(0);
      await db.exec((await loadSeed()).sql);
      expect(await count()).toEqual(before);
    });

    it('prices lines from the products table, never from the input, and adds the zone fee', async () => {
      const a = await addProduct(db, { price: 45000, stock: { M: 5 } });
      const b = await addProduct(db, { price: 12000, stock: { Unique: 3 } });
      const order = await placeOrder(db, {
        zone: 'Marcory',
        lines: [
          { product_id: a.slug, size: 'M', quantity: 2, unit_price_fcfa: 1, price_fcfa: 1, line_total_fcfa: 2 },
          { product_id: b.id, size: 'Unique', quantity: 1, unit_price_fcfa: 5 },
        ],
      });
      expect(order.lines).toEqual([
        { product_id: a.id, product_name: a.name, size: 'M', quantity: 2, unit_price_fcfa: 45000, line_total_fcfa: 90000 },
        { product_id: b.id, product_name: b.name, size: 'Unique', quantity: 1, unit_price_fcfa: 12000, line_total_fcfa: 12000 },
      ]);
      expect(order).toMatchObject({
        status: 'pending',
        zone: { name: 'Marcory', fee_fcfa: 2000, delay: '24–48 h' },
        subtotal_fcfa: 102000,
        delivery_fee_fcfa: 2000,
        total_fcfa: 104000,
        customer_name: 'Awa Koné',
        phone: '+2250707070707',
        duplicate: false,
      });
      expect(order.number).toBeGreaterThan(1000);
      expect(Number.isNaN(Date.parse(order.created_at))).toBe(false);
    });

    it('decrements stock, merges repeated lines and matches sizes case-insensitively', async () => {
      const p = await addProduct(db, { price: 20000, stock: { S: 4, M: 4 } });
      const order = await placeOrder(db, {
        lines: [
          { product_id: p.slug, size: 's', quantity: 1 },
          { product_id: p.slug, size: 'M', quantity: 1 },
          { product_id: p.slug, size: 'S', quantity: 2 },
        ],
      });
      expect(order.lines.map((l) => [l.size, l.quantity])).toEqual([['S', 3], ['M', 1]]);
      expect(order.subtotal_fcfa).toBe(80000);
      expect(await stockOf(db, p.id, 'S')).toBe(1);
      expect(await stockOf(db, p.id, 'M')).toBe(3);
    });

    it('rejects an order above the stock with out_of_stock, and changes nothing', async () => {
      const p = await addProduct(db, { price: 30000, stock: { M: 1, L: 5 } });
      const key = randomUUID();
      const error = await placeOrderError(db, {
        key,
        lines: [{ product_id: p.slug, size: 'L', quantity: 1 }, { product_id: p.slug, size: 'M', quantity: 2 }],
      });
      expect(error).toMatchObject({ code: 'P0001', message: 'out_of_stock' });
      expect(error.detail).toContain(p.name);
      expect(JSON.parse(error.hint ?? '{}')).toEqual({ product_id: p.id, product_name: p.name, size: 'M', available: 1, requested: 2 });
      expect(await stockOf(db, p.id, 'L')).toBe(5);
      expect(await ordersWithKey(db, key)).toBe(0);
    });

    it('rejects what it cannot resolve with a stable code', async () => {
      const p = await addProduct(db, { price: 10000, stock: { M: 2, L: 2 } });
      const off = await addProduct(db, { price: 10000, stock: { M: 2 }, active: false });
      const line = { product_id: p.slug, size: 'M', quantity: 1 };
      const cases: [Parameters<typeof placeOrderError>[1], string][] = [
        [{ zone: 'Mars', lines: [line] }, 'unknown_zone'],
        [{ zone: null, lines: [line] }, 'unknown_zone'],
        [{ lines: [{ ...line, product_id: 'robe-qui-n-existe-pas' }] }, 'unknown_product'],
        [{ lines: [{ ...line, product_id: randomUUID() }] }, 'unknown_product'],
        [{ lines: [{ ...line, product_id: off.slug }] }, 'product_unavailable'],
        [{ lines: [{ ...line, size: 'XXL' }] }, 'unknown_size'],
        [{ lines: [{ ...line, size: '' }] }, 'unknown_size'],
        [{ lines: [{ ...line, quantity: 0 }] }, 'invalid_quantity'],
        [{ lines: [{ ...line, quantity: -1 }] }, 'invalid_quantity'],
        [{ lines: [{ ...line, quantity: 1.5 }] }, 'invalid_quantity'],
        [{ lines: [{ ...line, quantity: '2' }] }, 'invalid_quantity'],
        [{ lines: [{ product_id: p.slug, size: 'M' }] }, 'invalid_quantity'],
        [{ lines: [] }, 'empty_order'],
        [{ lines: { product_id: p.slug } }, 'empty_order'],
        [{ phone: '0707070707', lines: [line] }, 'invalid_phone'],
        [{ phone: null, lines: [line] }, 'invalid_phone'],
        [{ key: ' ', lines: [line] }, 'invalid_request'],
        [{ lines: ['robe'] }, 'invalid_request'],
      ];
      for (const [args, code] of cases) {
        const error = await placeOrderError(db, args);
        expect({ args, code: error.code, message: error.message }).toEqual({ args, code: 'P0001', message: code });
        expect(error.detail).toBeTruthy();
      }
      const unknownSize = await placeOrderError(db, { lines: [{ ...line, size: 'XXL' }] });
      expect(JSON.parse(unknownSize.hint ?? '{}')).toMatchObject({ size: 'XXL', sizes: ['M', 'L'] });
      expect(await stockOf(db, p.id, 'M')).toBe(2);
    });

    it('finds the zone by id, name or alias, ignoring case, accents and punctuation', async () => {
      const p = await addProduct(db, { price: 5000, stock: { Unique: 20 } });
      const [cocody] = await db.query<{ id: string }>(`SELECT id FROM public.delivery_zones WHERE name = 'Cocody'`);
      const cases: [string, string][] = [
        ['marcory', 'Marcory'],
        ['  MARCORY ', 'Marcory'],
        ['zone 4', 'Marcory'],
        ['Port-Bouet', 'Port-Bouët'],
        ['port bouët', 'Port-Bouët'],
        ['PORT-BOUËT', 'Port-Bouët'],
        ['riviera', 'Cocody'],
        ['Angre', 'Cocody'],
        ['ANGRÉ', 'Cocody'],
        ['yop', 'Yopougon'],
        ['adjame', 'Adjamé'],
        [cocody!.id, 'Cocody'],
      ];
      for (const [zone, expected] of cases) {
        const order = await placeOrder(db, { zone, lines: [{ product_id: p.slug, quantity: 1 }] });
        expect([zone, order.zone.name]).toEqual([zone, expected]);
      }
    });

    it('answers a reused idempotency key with the same order, flagged duplicate, without touching stock', async () => {
      const p = await addProduct(db, { price: 15000, stock: { M: 3 } });
      const key = randomUUID();
      const args = { key, lines: [{ product_id: p.slug, size: 'M', quantity: 2 }] };
      const first = await placeOrder(db, args);
      const again = await placeOrder(db, { ...args, lines: [{ product_id: p.slug, size: 'M', quantity: 3 }] });
      expect(first.duplicate).toBe(false);
      expect(again).toEqual({ ...first, duplicate: true });
      expect(await stockOf(db, p.id, 'M')).toBe(1);
      expect(await ordersWithKey(db, key)).toBe(1);
    });

    it('keeps one customer per conversation, updated with the latest name and phone', async () => {
      const p = await addProduct(db, { price: 5000, stock: { Unique: 5 } });
      const chatId = `chat-${randomUUID()}`;
      const line = { product_id: p.slug, quantity: 1 };
      await placeOrder(db, { chatId, name: 'Awa', phone: '+2250101010101', lines: [line] });
      const second = await placeOrder(db, { chatId, name: 'Awa Koné', phone: '+2250505050505', lines: [line] });
      expect(second).toMatchObject({ customer_name: 'Awa Koné', phone: '+2250505050505' });
      const customers = await db.query(
        `SELECT name, phone, (SELECT count(*)::int FROM public.orders o WHERE o.customer_id = c.id) AS orders
         FROM public.customers c WHERE channel = 'telegram' AND chat_id = $1`,
        [chatId],
      );
      expect(customers).toEqual([{ name: 'Awa Koné', phone: '+2250505050505', orders: 2 }]);
    });
  });
}
