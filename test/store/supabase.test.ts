import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrderRejectedError, StoreError } from '../../src/store/errors.js';
import { createSupabaseStore } from '../../src/store/supabase.js';
import type { OrderRequest, Store } from '../../src/store/types.js';
import { startFakePostgrest, type FakePostgrest } from './fake-postgrest.js';

const KEY = 'service-role-key-for-tests';
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/store/${name}`, import.meta.url), 'utf8')) as unknown;

const REQUEST: OrderRequest = {
  idempotencyKey: 'outbox-7f3a',
  channel: 'whatsapp',
  chatId: '2250707070707',
  customerName: 'Awa Koné',
  phone: '+2250707070707',
  zone: 'Zone 4',
  lines: [{ productId: 'robe-cocktail-bordeaux', size: 'M', quantity: 2 }],
};

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('createSupabaseStore against a PostgREST look-alike', () => {
  let server: FakePostgrest;
  let store: Store;
  beforeAll(async () => {
    server = await startFakePostgrest(KEY);
    store = createSupabaseStore({ url: server.url, serviceRoleKey: KEY, timeoutMs: 1_000 });
  });
  afterEach(() => {
    expect(server.violations).toEqual([]);
    server.requests.length = 0;
  });
  afterAll(async () => {
    await store.close();
    await server.close();
  });

  it('reads active products with their variants from /rest/v1/products', async () => {
    server.on('GET', '/products', { status: 200, body: fixture('postgrest-products.json') });
    const products = await store.listProducts();
    expect(store.kind).toBe('supabase');
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.query.get('select')).toBe(
      'id,slug,name,description,category,price_fcfa,photo_url,product_variants(size,stock)',
    );
    expect(request?.query.get('active')).toBe('eq.true');
    expect(products.map((p) => p.slug)).toEqual(['sac-raphia-tresse', 'robe-cocktail-bordeaux']);
    expect(products[1]).toEqual({
      id: '0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d',
      slug: 'robe-cocktail-bordeaux',
      name: 'Robe Cocktail Bordeaux',
      description: 'Idéale pour cérémonies',
      category: 'robes',
      priceFcfa: 45000,
      photoUrl: 'https://images.mode-ivoire.ci/robe-cocktail-bordeaux.jpg',
      sizes: [
        { size: 'S', stock: 3 },
        { size: 'M', stock: 5 },
        { size: 'L', stock: 2 },
        { size: 'XL', stock: 0 },
      ],
    });
  });

  it('reads active zones from /rest/v1/delivery_zones', async () => {
    server.on('GET', '/delivery_zones', { status: 200, body: fixture('postgrest-zones.json') });
    const zones = await store.listZones();
    expect(server.requests[0]?.query.get('select')).toBe('id,name,aliases,fee_fcfa,delay');
    expect(server.requests[0]?.query.get('active')).toBe('eq.true');
    expect(zones.map((z) => z.name)).toEqual(['Marcory', 'Port-Bouët']);
    expect(zones[0]).toEqual({
      id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
      name: 'Marcory',
      aliases: ['Zone 4', 'Biétry'],
      feeFcfa: 2000,
      delay: '24–48 h',
    });
  });

  it('places orders by POSTing the arguments to /rest/v1/rpc/place_order, without prices', async () => {
    server.on('POST', '/rpc/place_order', { status: 200, body: fixture('place-order-result.json') });
    const placed = await store.placeOrder(REQUEST);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(request?.body).toEqual({
      p_idempotency_key: 'outbox-7f3a',
      p_channel: 'whatsapp',
      p_chat_id: '2250707070707',
      p_customer_name: 'Awa Koné',
      p_phone: '+2250707070707',
      p_zone: 'Zone 4',
      p_lines: [{ product_id: 'robe-cocktail-bordeaux', size: 'M', quantity: 2 }],
    });
    expect(placed).toMatchObject({
      orderId: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a',
      number: 1042,
      zone: { name: 'Marcory', feeFcfa: 2000, delay: '24–48 h' },
      lines: [{ productName: 'Robe Cocktail Bordeaux', quantity: 2, unitPriceFcfa: 45000, lineTotalFcfa: 90000 }],
      totalFcfa: 92000,
      createdAt: '2026-11-25T10:26:03.979+00:00',
      duplicate: false,
    });
  });

  it('prices a cart through /rest/v1/rpc/quote_order, and reads one chat\'s orders and one order by id', async () => {
    server.on('POST', '/rpc/quote_order', {
      status: 200,
      body: {
        zone: { name: 'Marcory', fee_fcfa: 2000, delay: '24–48 h' },
        lines: [{ product_id: '0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d', slug: 'robe-cocktail-bordeaux', product_name: 'Robe Cocktail Bordeaux', size: 'M', quantity: 1, unit_price_fcfa: 45000, line_total_fcfa: 45000 }],
        subtotal_fcfa: 45000,
        delivery_fee_fcfa: 2000,
        total_fcfa: 47000,
      },
    });
    const quote = await store.quoteOrder({ zone: 'Zone 4', lines: [{ productId: 'robe-cocktail-bordeaux', size: 'M', quantity: 1 }] });
    expect(server.requests[0]?.body).toEqual({ p_zone: 'Zone 4', p_lines: [{ product_id: 'robe-cocktail-bordeaux', size: 'M', quantity: 1 }] });
    expect(quote).toMatchObject({ totalFcfa: 47000, zone: { name: 'Marcory' }, lines: [{ slug: 'robe-cocktail-bordeaux', lineTotalFcfa: 45000 }] });

    const order = { ...(fixture('place-order-result.json') as Record<string, unknown>), channel: 'whatsapp', chat_id: '2250707070707' };
    server.on('POST', '/rpc/customer_orders', { status: 200, body: [order] });
    server.on('POST', '/rpc/order_by_id', { status: 200, body: order });
    expect(await store.listCustomerOrders('whatsapp', '2250707070707', 3)).toMatchObject([{ number: 1042, chatId: '2250707070707' }]);
    expect(server.requests[1]?.body).toEqual({ p_channel: 'whatsapp', p_chat_id: '2250707070707', p_limit: 3 });
    expect(await store.findOrder('5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a')).toMatchObject({ number: 1042, channel: 'whatsapp' });
    expect(await store.findOrder('not-a-uuid')).toBeNull();
    expect(server.requests).toHaveLength(3); // a malformed id never reaches the server
  });

  it('maps a P0001 raised by place_order to OrderRejectedError with its facts', async () => {
    server.on('POST', '/rpc/place_order', {
      status: 400,
      body: {
        code: 'P0001',
        message: 'out_of_stock',
        details: 'Robe Cocktail Bordeaux (taille M) : 1 en stock, 2 demandé(s).',
        hint: '{"size": "M", "available": 1, "requested": 2}',
      },
    });
    const error = await failure(store.placeOrder(REQUEST));
    expect(error).toBeInstanceOf(OrderRejectedError);
    expect(error).toMatchObject({
      name: 'OrderRejectedError',
      code: 'out_of_stock',
      detail: 'Robe Cocktail Bordeaux (taille M) : 1 en stock, 2 demandé(s).',
      info: { size: 'M', available: 1, requested: 2 },
    });
  });

  it('maps 503 to store_unavailable at once (no hidden retries), and other errors to store_failed', async () => {
    const down = { status: 503, body: { code: 'PGRST002', message: 'Could not query the database for the schema cache. Retrying.', details: null, hint: null } };
    server.on('GET', '/products', down);
    server.on('POST', '/rpc/place_order', down);
    for (const work of [() => store.listProducts(), () => store.placeOrder(REQUEST), () => store.ping()]) {
      const error = await failure(work());
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ name: 'StoreError', code: 'store_unavailable' });
    }
    expect(server.requests).toHaveLength(3);

    server.on('POST', '/rpc/place_order', {
      status: 401,
      body: { code: '42501', message: 'permission denied for function place_order', details: null, hint: null },
    });
    expect(await failure(store.placeOrder(REQUEST))).toMatchObject({ code: 'store_failed', operation: 'orders.place' });
    server.on('POST', '/rpc/place_order', { status: 400, body: { code: 'P0001', message: 'something_else', details: null, hint: null } });
    expect(await failure(store.placeOrder(REQUEST))).toMatchObject({ name: 'StoreError', code: 'store_failed' });
    server.on('GET', '/delivery_zones', { status: 200, body: [{ id: 1 }] });
    expect(await failure(store.listZones())).toMatchObject({ name: 'StoreError', code: 'store_failed' });
  });

  it('gives up on a silent server after timeoutMs, as store_unavailable', async () => {
    server.on('POST', '/rpc/place_order', { status: 200, hang: true });
    const impatient = createSupabaseStore({ url: server.url, serviceRoleKey: KEY, timeoutMs: 150 });
    const started = Date.now();
    expect(await failure(impatient.placeOrder(REQUEST))).toMatchObject({ code: 'store_unavailable' });
    expect(Date.now() - started).toBeLessThan(2_000);
    await impatient.close();
  });

  it('sets a status through /rest/v1/rpc/set_order_status and pings with a one-row select', async () => {
    server.on('POST', '/rpc/set_order_status', { status: 204 });
    server.on('GET', '/products', { status: 200, body: [{ id: 'x' }] });
    await store.setOrderStatus('5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a', 'delivered');
    await store.ping();
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /rest/v1/rpc/set_order_status',
      'GET /rest/v1/products',
    ]);
    expect(server.requests[0]?.body).toEqual({ p_order_id: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a', p_status: 'delivered' });
    expect(server.requests[1]?.query.get('limit')).toBe('1');
    expect(await failure(store.setOrderStatus('1042', 'delivered'))).toBeInstanceOf(OrderRejectedError);
    expect(server.requests).toHaveLength(2);
  });
});

describe('createSupabaseStore when nothing listens', () => {
  it('reports connection refused as store_unavailable, through the given fetch', async () => {
    const gone = await startFakePostgrest(KEY);
    const url = gone.url;
    await gone.close();
    let calls = 0;
    const store = createSupabaseStore({
      url,
      serviceRoleKey: KEY,
      fetch: (input, init) => {
        calls += 1;
        return fetch(input, init);
      },
    });
    for (const work of [() => store.listProducts(), () => store.placeOrder(REQUEST), () => store.ping()]) {
      expect(await failure(work())).toMatchObject({ name: 'StoreError', code: 'store_unavailable' });
    }
    expect(calls).toBe(3);
    await store.close();
    expect(await failure(store.listZones())).toMatchObject({ code: 'store_unavailable' });
  });
});
