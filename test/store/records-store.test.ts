/**
 * The records through the Store interface: the embedded store (PGlite) end to end, and the
 * Supabase store against the PostgREST look-alike, which answers with what the real SQL
 * returned for the same history.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import { StoreError } from '../../src/store/errors.js';
import { eventsArg, statsArgs } from '../../src/store/records.js';
import { createSupabaseStore } from '../../src/store/supabase.js';
import type { Store } from '../../src/store/types.js';
import { craftedHistory, EXPECTED_LATENCY, EXPECTED_ROWS, NOW, WINDOW_MS } from '../records/history.js';
import { openPglite, type SqlEngine } from './engines.js';
import { startFakePostgrest, type FakePostgrest } from './fake-postgrest.js';
import { loadCraftedHistory } from './records-suite.js';

const KEY = 'service-role-key-for-tests';
const withoutOrders = EXPECTED_ROWS.filter((row) => row.conversations > 0).map((row) => ({ ...row, orders: 0, revenueFcfa: 0 }));

describe('the embedded store records conversations', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createEmbeddedStore({ dataDir: 'memory://' });
  });
  afterAll(async () => {
    await store.close();
  });

  it('writes events in batches and reads the figures back', async () => {
    const history = craftedHistory();
    await store.recordEvents(history.events.slice(0, 10));
    await store.recordEvents(history.events.slice(5)); // overlapping: a retried batch
    await store.recordEvents([]);
    const stats = await store.conversationStats({ from: history.from, to: NOW + 1, recoveryWindowMs: WINDOW_MS, now: NOW });
    expect(stats.rows).toEqual(withoutOrders);
    expect(stats.latency).toEqual(EXPECTED_LATENCY);
    const chats = await store.listRecentConversations({ since: history.from, limit: 2, eventsPerConversation: 2 });
    expect(chats.map((c) => [c.chatId, c.events.map((e) => e.kind)])).toEqual([
      ['W3', ['text', 'fallback']],
      ['T3', ['fallback', 'late_answer']],
    ]);
    expect(chats[0]!.events[1]).toMatchObject({ channel: 'whatsapp', chatId: 'W3', direction: 'out', reason: 'internal', messageId: null });
  });

  it('lists recent orders with their origin, and follows status changes', async () => {
    const placed = await store.placeOrder({
      idempotencyKey: 'records-1', channel: 'telegram', chatId: 'T1', customerName: 'Awa Koné', phone: '+2250707070707',
      zone: 'Marcory', lines: [{ productId: 'robe-cocktail-bordeaux', size: 'M', quantity: 1 }],
    });
    await store.setOrderStatus(placed.orderId, 'confirmed');
    const [order] = await store.listRecentOrders(5);
    expect(order).toMatchObject({ orderId: placed.orderId, channel: 'telegram', chatId: 'T1', status: 'confirmed', subtotalFcfa: 45_000, totalFcfa: 47_000 });
  });
});

describe('the Supabase store records conversations through rpc', () => {
  let server: FakePostgrest;
  let sql: SqlEngine;
  let store: Store;
  const history = craftedHistory();
  const query = { from: history.from, to: NOW + 1, recoveryWindowMs: WINDOW_MS, now: NOW };

  beforeAll(async () => {
    server = await startFakePostgrest(KEY);
    sql = await openPglite();
    await loadCraftedHistory(sql);
    store = createSupabaseStore({ url: server.url, serviceRoleKey: KEY, timeoutMs: 1_000 });
  });
  afterEach(() => {
    expect(server.violations).toEqual([]);
    server.requests.length = 0;
  });
  afterAll(async () => {
    await store.close();
    await server.close();
    await sql.close();
  });

  it('posts events to /rest/v1/rpc/record_conversation_events as one jsonb list', async () => {
    server.on('POST', '/rpc/record_conversation_events', { status: 200, body: 3 });
    await store.recordEvents(history.events.slice(0, 3));
    await store.recordEvents([]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.body).toEqual({ p_events: eventsArg(history.events.slice(0, 3)) });
    expect((server.requests[0]!.body as { p_events: { at: string }[] }).p_events[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
  });

  it('reads the figures from /rest/v1/rpc/conversation_stats, as the SQL computes them', async () => {
    const args = statsArgs(query);
    const [row] = await sql.query<{ s: unknown }>('SELECT public.conversation_stats($1, $2, $3, $4) AS s', [
      args.p_from, args.p_to, args.p_recovery_window_seconds, args.p_now,
    ]);
    server.on('POST', '/rpc/conversation_stats', { status: 200, body: row!.s });
    const stats = await store.conversationStats(query);
    expect(server.requests[0]!.body).toEqual(args);
    expect(stats.rows).toEqual(EXPECTED_ROWS);
    expect(stats.latency).toEqual(EXPECTED_LATENCY);
  });

  it('reads recent orders and conversations through their functions', async () => {
    const [orders] = await sql.query<{ j: unknown }>('SELECT public.recent_orders(3) AS j');
    const [chats] = await sql.query<{ j: unknown }>('SELECT public.recent_conversations($1, 2, 3) AS j', [new Date(history.from).toISOString()]);
    server.on('POST', '/rpc/recent_orders', { status: 200, body: orders!.j });
    server.on('POST', '/rpc/recent_conversations', { status: 200, body: chats!.j });
    expect((await store.listRecentOrders(3)).map((o) => [o.channel, o.status])).toEqual([
      ['whatsapp', 'cancelled'],
      ['telegram', 'pending'],
      ['web', 'delivered'],
    ]);
    const recent = await store.listRecentConversations({ since: history.from, limit: 2, eventsPerConversation: 3 });
    expect(recent.map((c) => [c.chatId, c.customerName, c.events.length])).toEqual([
      ['W3', 'Bintou <b>', 2],
      ['T3', 'Mariam', 3],
    ]);
    expect(server.requests.map((r) => r.body)).toEqual([
      { p_limit: 3 },
      { p_since: new Date(history.from).toISOString(), p_limit: 2, p_events: 3 },
    ]);
  });

  it('maps a database outage to store_unavailable and odd data to store_failed', async () => {
    server.on('POST', '/rpc/record_conversation_events', { status: 503, body: { code: 'PGRST002', message: 'down', details: null, hint: null } });
    const down = await store.recordEvents(history.events.slice(0, 1)).catch((error: unknown) => error);
    expect(down).toBeInstanceOf(StoreError);
    expect(down).toMatchObject({ code: 'store_unavailable', operation: 'events.record' });
    server.on('POST', '/rpc/conversation_stats', { status: 200, body: { rows: 'nope' } });
    expect(await store.conversationStats(query).catch((error: unknown) => error)).toMatchObject({ code: 'store_failed', operation: 'events.stats' });
  });
});
