import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPGlite } from '../../src/store/pglite.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, createEmbeddedStore } from '../../src/store/embedded.js';
import { OrderRejectedError, StoreError } from '../../src/store/errors.js';
import { loadMigrations } from '../../src/store/sql.js';
import type { OrderRequest, Store } from '../../src/store/types.js';

const order = (overrides: Partial<OrderRequest> = {}): OrderRequest => ({
  idempotencyKey: randomUUID(),
  channel: 'telegram',
  chatId: '1001',
  customerName: 'Mariam Traoré',
  phone: '+2250707070707',
  zone: 'zone 4',
  lines: [{ productId: 'robe-cocktail-bordeaux', size: 'M', quantity: 1 }],
  ...overrides,
});

async function rejection(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('createEmbeddedStore on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'akwaba-store-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('migrates and seeds a new shop, then reopens it with its data and without re-migrating', async () => {
    const store = await createEmbeddedStore({ dataDir: dir });
    expect(store.kind).toBe('embedded');
    await store.ping();

    const products = await store.listProducts();
    expect(products.length).toBeGreaterThanOrEqual(12);
    const robe = products.find((p) => p.slug === 'robe-cocktail-bordeaux');
    expect(robe).toMatchObject({
      name: 'Robe Cocktail Bordeaux',
      category: 'robes',
      priceFcfa: 45000,
      description: 'Idéale pour cérémonies',
      photoUrl: 'https://images.mode-ivoire.ci/robe-cocktail-bordeaux.jpg',
    });
    expect(robe?.sizes.map((s) => s.size)).toEqual(['S', 'M', 'L', 'XL']);
    expect(products.find((p) => p.slug === 'robe-longue-dentelle')?.sizes.map((s) => s.size)).toEqual(['M', 'L']);

    const zones = await store.listZones();
    expect(zones).toHaveLength(10);
    expect(zones.find((z) => z.name === 'Marcory')).toMatchObject({ feeFcfa: 2000, delay: '24–48 h' });
    expect(zones.find((z) => z.name === 'Marcory')?.aliases).toContain('Zone 4');

    const request = order();
    const placed = await store.placeOrder(request);
    expect(placed).toMatchObject({
      status: 'pending',
      zone: { name: 'Marcory', feeFcfa: 2000, delay: '24–48 h' },
      lines: [{ productId: robe?.id, productName: 'Robe Cocktail Bordeaux', size: 'M', quantity: 1, unitPriceFcfa: 45000, lineTotalFcfa: 45000 }],
      subtotalFcfa: 45000,
      deliveryFeeFcfa: 2000,
      totalFcfa: 47000,
      customerName: 'Mariam Traoré',
      duplicate: false,
    });
    await store.close();
    await store.close();

    const reopened = await createEmbeddedStore({ dataDir: dir });
    const stockM = (await reopened.listProducts()).find((p) => p.slug === 'robe-cocktail-bordeaux')?.sizes.find((s) => s.size === 'M');
    expect(stockM?.stock).toBe((robe?.sizes.find((s) => s.size === 'M')?.stock ?? 0) - 1);
    expect(await reopened.placeOrder(request)).toEqual({ ...placed, duplicate: true });
    await reopened.setOrderStatus(placed.orderId, 'confirmed');
    await reopened.close();

    const raw = await openPGlite({ path: join(dir, 'pglite') });
    try {
      const applied = await raw.query<{ name: string; n: number }>(
        'SELECT name, count(*) OVER ()::int AS n FROM public.schema_migrations ORDER BY name',
      );
      expect(applied.rows.map((r) => r.name)).toEqual((await loadMigrations()).map((f) => f.name));
      expect(await applyMigrations(raw, await loadMigrations())).toEqual([]);
      const status = await raw.query<{ status: string }>('SELECT status FROM public.orders WHERE id = $1', [placed.orderId]);
      expect(status.rows).toEqual([{ status: 'confirmed' }]);
    } finally {
      await raw.close();
    }
  });
});

describe('createEmbeddedStore in memory', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createEmbeddedStore({ dataDir: '/nonexistent', inMemory: true });
  });
  afterAll(async () => {
    await store.close();
  });

  it('tells a refused order (OrderRejectedError) from a broken store (StoreError)', async () => {
    const soldOut = await rejection(store.placeOrder(order({ lines: [{ productId: 'robe-cocktail-bordeaux', size: 'XL', quantity: 1 }] })));
    expect(soldOut).toBeInstanceOf(OrderRejectedError);
    expect(soldOut).toMatchObject({
      name: 'OrderRejectedError',
      code: 'out_of_stock',
      info: { size: 'XL', available: 0, requested: 1, product_name: 'Robe Cocktail Bordeaux' },
    });
    expect((soldOut as OrderRejectedError).detail).toMatch(/Robe Cocktail Bordeaux/);

    expect(await rejection(store.placeOrder(order({ zone: 'Mars' })))).toMatchObject({ code: 'unknown_zone' });
    expect(await rejection(store.setOrderStatus('not-a-uuid', 'confirmed'))).toMatchObject({ code: 'unknown_order' });
    expect(await rejection(store.setOrderStatus(randomUUID(), 'confirmed'))).toMatchObject({ code: 'unknown_order' });
  });

  it('fails with store_unavailable once closed', async () => {
    await store.close();
    const error = await rejection(store.listZones());
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ name: 'StoreError', code: 'store_unavailable', operation: 'zones.list' });
  });
});

describe('applyMigrations', () => {
  it('applies each file once, in name order, and rolls a failing file back entirely', async () => {
    const db = await openPGlite({ path: 'memory://' });
    try {
      const files = [
        { name: '002_b.sql', sql: 'CREATE TABLE b (id int REFERENCES a (id));' },
        { name: '001_a.sql', sql: 'CREATE TABLE a (id int PRIMARY KEY);' },
      ];
      expect(await applyMigrations(db, files)).toEqual(['001_a.sql', '002_b.sql']);
      expect(await applyMigrations(db, files)).toEqual([]);
      const broken = { name: '003_c.sql', sql: 'CREATE TABLE c (id int); SELECT no_such_function();' };
      await expect(applyMigrations(db, [...files, broken])).rejects.toThrow(/no_such_function/);
      const tables = await db.query<{ t: string | null; n: number }>(
        `SELECT to_regclass('public.c')::text AS t, (SELECT count(*)::int FROM public.schema_migrations) AS n`,
      );
      expect(tables.rows).toEqual([{ t: null, n: 2 }]);
    } finally {
      await db.close();
    }
  });

  it('reports a broken migration as a StoreError from createEmbeddedStore', async () => {
    const root = await mkdtemp(join(tmpdir(), 'akwaba-root-'));
    try {
      await mkdir(join(root, 'supabase', 'migrations'), { recursive: true });
      await writeFile(join(root, 'supabase', 'migrations', '001_bad.sql'), 'CREATE TABLE oops (;');
      await writeFile(join(root, 'supabase', 'seed.sql'), '');
      const error = await rejection(createEmbeddedStore({ dataDir: 'memory://', root }));
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ operation: 'store.migrate', code: 'store_failed' });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
