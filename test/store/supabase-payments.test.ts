/**
 * The Supabase store's payment methods against a PostgREST look-alike: each one calls its
 * SQL function through /rest/v1/rpc with the named arguments the migration declares, and
 * maps the jsonb back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrderRejectedError, StoreError } from '../../src/store/errors.js';
import { createSupabaseStore } from '../../src/store/supabase.js';
import type { Store } from '../../src/store/types.js';
import { startFakePostgrest, type FakePostgrest } from './fake-postgrest.js';

const KEY = 'service-role-key-for-tests';
const ORDER_ID = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';
const PAYMENT_ID = '0f1e2d3c-4b5a-4697-8877-665544332211';

const paymentJson = {
  id: PAYMENT_ID,
  order_id: ORDER_ID,
  order_number: 1042,
  order_status: 'pending',
  channel: 'whatsapp',
  chat_id: '2250707070707@c.us',
  provider: 'wave',
  reference: 'AKW-1042-a1b2c3',
  provider_ref: 'cos-18qq25rgr100a',
  url: 'https://pay.wave.com/c/cos-18qq25rgr100a',
  amount_fcfa: 47000,
  currency: 'XOF',
  status: 'paid',
  detail: null,
  received_amount: 47000,
  received_currency: 'XOF',
  transaction_id: 'TCN4Y4ZC3FM',
  expires_at: '2026-12-10T10:30:00+00:00',
  checks: 2,
  next_check_at: null,
  notified_status: null,
  created_at: '2026-12-10T10:00:00.123+00:00',
  settled_at: '2026-12-10T10:04:12.5+00:00',
};

describe('createSupabaseStore: payments', () => {
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

  it('opens and settles through /rpc/open_payment and /rpc/settle_payment', async () => {
    server.on('POST', '/rpc/open_payment', { status: 200, body: { changed: true, payment: { ...paymentJson, status: 'pending', settled_at: null } } });
    server.on('POST', '/rpc/settle_payment', { status: 200, body: { changed: false, payment: paymentJson } });
    const opened = await store.openPayment({
      orderId: ORDER_ID,
      provider: 'wave',
      reference: 'AKW-1042-a1b2c3',
      providerRef: 'cos-18qq25rgr100a',
      url: 'https://pay.wave.com/c/cos-18qq25rgr100a',
      amountFcfa: 47000,
      expiresAt: Date.parse('2026-12-10T10:30:00Z'),
      nextCheckAt: Date.parse('2026-12-10T10:01:00Z'),
    });
    expect(opened).toMatchObject({ changed: true, payment: { status: 'pending', orderNumber: 1042, chatId: '2250707070707@c.us' } });
    expect(server.requests[0]?.body).toEqual({
      p_order_id: ORDER_ID,
      p_provider: 'wave',
      p_reference: 'AKW-1042-a1b2c3',
      p_provider_ref: 'cos-18qq25rgr100a',
      p_url: 'https://pay.wave.com/c/cos-18qq25rgr100a',
      p_amount_fcfa: 47000,
      p_expires_at: '2026-12-10T10:30:00.000Z',
      p_next_check_at: '2026-12-10T10:01:00.000Z',
    });
    const settled = await store.settlePayment(PAYMENT_ID, { status: 'paid', by: 'provider', receivedAmount: 47000, receivedCurrency: 'XOF', transactionId: 'TCN4Y4ZC3FM' });
    expect(settled).toMatchObject({ changed: false, payment: { status: 'paid', settledAt: Date.parse('2026-12-10T10:04:12.5Z'), checks: 2 } });
    expect(server.requests[1]?.body).toEqual({
      p_payment_id: PAYMENT_ID,
      p_status: 'paid',
      p_by: 'provider',
      p_facts: { detail: null, received_amount: 47000, received_currency: 'XOF', transaction_id: 'TCN4Y4ZC3FM' },
    });
  });

  it('finds, lists, schedules, marks and adds up through their functions', async () => {
    server.on('POST', '/rpc/find_payment', { status: 200, body: null });
    server.on('POST', '/rpc/list_payments', { status: 200, body: [paymentJson] });
    server.on('POST', '/rpc/schedule_payment_check', { status: 204 });
    server.on('POST', '/rpc/mark_payment_notified', { status: 204 });
    server.on('POST', '/rpc/payment_totals', { status: 200, body: [{ day: '2026-12-10', paid_fcfa: 47000, payments: 1 }] });
    expect(await store.findPayment({ channel: 'whatsapp', chatId: '2250707070707@c.us' })).toBeNull();
    expect(await store.listPayments({ unnotified: true })).toHaveLength(1);
    await store.schedulePaymentCheck(PAYMENT_ID, Date.parse('2026-12-10T10:02:00Z'));
    await store.markPaymentNotified(PAYMENT_ID, 'paid');
    expect(await store.paymentTotals({ from: Date.parse('2026-12-01T00:00:00Z'), to: Date.parse('2026-12-11T00:00:00Z') })).toEqual([
      { day: '2026-12-10', paidFcfa: 47000, payments: 1 },
    ]);
    expect(server.requests.map((r) => r.body)).toEqual([
      { p_query: { channel: 'whatsapp', chat_id: '2250707070707@c.us' } },
      { p_query: { unnotified: true }, p_limit: 50 },
      { p_payment_id: PAYMENT_ID, p_next_check_at: '2026-12-10T10:02:00.000Z' },
      { p_payment_id: PAYMENT_ID, p_status: 'paid' },
      { p_from: '2026-12-01T00:00:00.000Z', p_to: '2026-12-11T00:00:00.000Z' },
    ]);
  });

  it('maps refusals and outages like the other calls, and refuses a bad id before the network', async () => {
    server.on('POST', '/rpc/settle_payment', { status: 400, body: { code: 'P0001', message: 'invalid_transition', details: 'Un paiement « pending » ne peut pas passer à « refunded ».', hint: null } });
    expect(await store.settlePayment(PAYMENT_ID, { status: 'refunded', by: 'owner' }).catch((e: unknown) => e)).toBeInstanceOf(OrderRejectedError);
    server.on('POST', '/rpc/list_payments', { status: 503, body: { code: 'PGRST002', message: 'down', details: null, hint: null } });
    expect(await store.listPayments({ due: Date.now() }).catch((e: unknown) => e)).toMatchObject({ name: 'StoreError', code: 'store_unavailable' });
    server.on('POST', '/rpc/list_payments', { status: 200, body: [{ id: 1 }] });
    expect(await store.listPayments({ due: Date.now() }).catch((e: unknown) => e)).toBeInstanceOf(StoreError);
    const before = server.requests.length;
    expect(await store.settlePayment('1042', { status: 'paid', by: 'owner' }).catch((e: unknown) => e)).toBeInstanceOf(OrderRejectedError);
    expect(server.requests).toHaveLength(before);
  });
});
