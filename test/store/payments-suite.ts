/**
 * The payments' state machine in SQL (`20261222000000_payments.sql`), written once and run on
 * PGlite and on the local PostgreSQL server: every transition at most once, whatever arrives
 * twice or out of order; a paid amount that is not the order's is never counted as paid.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  findPaymentArg,
  listPaymentsArgs,
  openPaymentArgs,
  paymentTotalsArgs,
  settlePaymentArgs,
  toPaidTotals,
  toPaymentChange,
  toPaymentOrNull,
  toPayments,
  type NewPayment,
  type PaymentChange,
  type PaymentSettlement,
} from '../../src/store/payments.js';
import { toRecentOrders } from '../../src/store/records.js';
import type { SqlEngine } from './engines.js';
import { addProduct, placeOrder, type OrderJson } from './orders-sql.js';

async function sqlError(work: Promise<unknown>): Promise<{ code?: string; message?: string; detail?: string }> {
  return work.then(
    () => {
      throw new Error('expected an error');
    },
    (error: unknown) => error as { code?: string; message?: string; detail?: string },
  );
}

/** The calls the stores make, with the same argument builders and mappers. */
export function paymentCalls(db: () => SqlEngine) {
  return {
    async open(input: NewPayment): Promise<PaymentChange> {
      const a = openPaymentArgs(input);
      const [row] = await db().query<{ r: unknown }>(
        'SELECT public.open_payment($1::uuid, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz) AS r',
        [a.p_order_id, a.p_provider, a.p_reference, a.p_provider_ref, a.p_url, a.p_amount_fcfa, a.p_expires_at, a.p_next_check_at],
      );
      return toPaymentChange('test', row!.r);
    },
    async settle(id: string, settlement: PaymentSettlement): Promise<PaymentChange> {
      const a = settlePaymentArgs(id, settlement);
      const [row] = await db().query<{ r: unknown }>('SELECT public.settle_payment($1::uuid, $2, $3, $4::jsonb) AS r', [
        a.p_payment_id,
        a.p_status,
        a.p_by,
        JSON.stringify(a.p_facts),
      ]);
      return toPaymentChange('test', row!.r);
    },
    async find(query: Parameters<typeof findPaymentArg>[0]) {
      const [row] = await db().query<{ r: unknown }>('SELECT public.find_payment($1::jsonb) AS r', [JSON.stringify(findPaymentArg(query))]);
      return toPaymentOrNull('test', row!.r);
    },
    async list(query: Parameters<typeof listPaymentsArgs>[0]) {
      const a = listPaymentsArgs(query);
      const [row] = await db().query<{ r: unknown }>('SELECT public.list_payments($1::jsonb, $2) AS r', [JSON.stringify(a.p_query), a.p_limit]);
      return toPayments('test', row!.r);
    },
  };
}

/** An order of one 45 000 FCFA dress delivered in Marcory (2 000 FCFA): 47 000 FCFA. */
export async function placeDressOrder(db: SqlEngine, chatId = `chat-${randomUUID()}`): Promise<OrderJson> {
  const product = await addProduct(db, { price: 45_000, stock: { M: 5 } });
  return placeOrder(db, { chatId, lines: [{ product_id: product.slug, size: 'M', quantity: 1 }] });
}

export function newPayment(order: OrderJson, extra: Partial<NewPayment> = {}): NewPayment {
  return {
    orderId: order.order_id,
    provider: 'wave',
    reference: `AKW-${order.number}-${randomUUID().slice(0, 6)}`,
    providerRef: `cos-${randomUUID().slice(0, 12)}`,
    url: 'https://pay.wave.com/c/cos-test',
    amountFcfa: order.total_fcfa,
    expiresAt: Date.parse('2026-12-10T10:30:00Z'),
    nextCheckAt: Date.parse('2026-12-10T10:01:00Z'),
    ...extra,
  };
}

const PAID: PaymentSettlement = { status: 'paid', by: 'provider', receivedAmount: 47_000, receivedCurrency: 'XOF', transactionId: 'T_1' };

export function describePaymentsSql(name: string, engine: () => SqlEngine): void {
  const calls = paymentCalls(engine);

  describe(`payments on ${name}`, () => {
    it('records a link as pending, for the order total only, once per order', async () => {
      const order = await placeDressOrder(engine());
      expect(order.total_fcfa).toBe(47_000);
      const first = await calls.open(newPayment(order));
      expect(first.changed).toBe(true);
      expect(first.payment).toMatchObject({
        orderId: order.order_id,
        orderNumber: order.number,
        amountFcfa: 47_000,
        currency: 'XOF',
        status: 'pending',
        checks: 0,
        notifiedStatus: null,
        expiresAt: Date.parse('2026-12-10T10:30:00Z'),
      });
      const again = await calls.open(newPayment(order));
      expect(again).toMatchObject({ changed: false, payment: { id: first.payment.id, reference: first.payment.reference } });

      const other = await placeDressOrder(engine());
      const wrong = await sqlError(calls.open(newPayment(other, { amountFcfa: 1000 })));
      expect(wrong).toMatchObject({ code: 'P0001', message: 'invalid_request' });
      expect(wrong.detail).toContain('47000');
      expect(await sqlError(calls.open(newPayment({ ...other, order_id: randomUUID() })))).toMatchObject({ message: 'unknown_order' });
      await engine().query("SELECT public.set_order_status($1::uuid, 'cancelled')", [other.order_id]);
      expect(await sqlError(calls.open(newPayment(other)))).toMatchObject({ message: 'invalid_request' });
    });

    it('moves pending → paid exactly once; a duplicate or a late "failed" changes nothing', async () => {
      const order = await placeDressOrder(engine());
      const { payment } = await calls.open(newPayment(order));
      const paid = await calls.settle(payment.id, PAID);
      expect(paid.changed).toBe(true);
      expect(paid.payment).toMatchObject({ status: 'paid', receivedAmount: 47_000, transactionId: 'T_1', nextCheckAt: null });
      expect(paid.payment.settledAt).not.toBeNull();
      expect(await calls.settle(payment.id, PAID)).toMatchObject({ changed: false, payment: { status: 'paid' } });
      expect(await calls.settle(payment.id, { status: 'failed', by: 'provider', detail: 'cancelled' })).toMatchObject({
        changed: false,
        payment: { status: 'paid', detail: null },
      });
      expect(await calls.settle(payment.id, { status: 'expired', by: 'provider' })).toMatchObject({ changed: false });
    });

    it('never counts a wrong amount, a wrong currency or a cancelled order as paid: review', async () => {
      for (const facts of [{ receivedAmount: 4700 }, { receivedCurrency: 'EUR' }, { receivedAmount: undefined }]) {
        const order = await placeDressOrder(engine());
        const { payment } = await calls.open(newPayment(order));
        const change = await calls.settle(payment.id, { ...PAID, ...facts });
        expect(change).toMatchObject({ changed: true, payment: { status: 'review' } });
        expect(change.payment.detail).toMatch(/montant reçu .* attendu 47000 XOF/);
      }
      const order = await placeDressOrder(engine());
      const { payment } = await calls.open(newPayment(order));
      await engine().query("SELECT public.set_order_status($1::uuid, 'cancelled')", [order.order_id]);
      expect(await calls.settle(payment.id, PAID)).toMatchObject({
        changed: true,
        payment: { status: 'review', detail: 'commande annulée avant le paiement', orderStatus: 'cancelled' },
      });
    });

    it('lets the owner note a refund or settle a review, and nothing else', async () => {
      const order = await placeDressOrder(engine());
      const { payment } = await calls.open(newPayment(order));
      expect(await sqlError(calls.settle(payment.id, { status: 'refunded', by: 'owner' }))).toMatchObject({ message: 'invalid_transition' });
      await calls.settle(payment.id, PAID);
      expect(await sqlError(calls.settle(payment.id, { status: 'failed', by: 'owner' }))).toMatchObject({ message: 'invalid_transition' });
      expect(await calls.settle(payment.id, { status: 'refunded', by: 'owner' })).toMatchObject({ changed: true, payment: { status: 'refunded' } });
      expect(await calls.settle(payment.id, { status: 'refunded', by: 'owner' })).toMatchObject({ changed: false });
      expect(await calls.settle(payment.id, PAID)).toMatchObject({ changed: false, payment: { status: 'refunded' } });

      const second = await placeDressOrder(engine());
      const review = (await calls.open(newPayment(second))).payment;
      await calls.settle(review.id, { ...PAID, receivedAmount: 40_000 });
      expect(await calls.settle(review.id, { status: 'paid', by: 'owner' })).toMatchObject({
        changed: true,
        payment: { status: 'paid', receivedAmount: 40_000 },
      });
      expect(await sqlError(calls.settle(randomUUID(), PAID))).toMatchObject({ message: 'unknown_order' });
      expect(await sqlError(calls.settle(review.id, { status: 'review' as 'paid', by: 'provider' }))).toMatchObject({ message: 'invalid_status' });
    });

    it('opens a new link after a failed or expired one, never beside a pending one', async () => {
      const order = await placeDressOrder(engine());
      const first = (await calls.open(newPayment(order))).payment;
      await calls.settle(first.id, { status: 'expired', by: 'provider' });
      const second = await calls.open(newPayment(order));
      expect(second.changed).toBe(true);
      expect(second.payment.id).not.toBe(first.id);
      expect(await calls.find({ orderId: order.order_id })).toMatchObject({ id: second.payment.id });
    });

    it('finds a payment by id, reference, order or chat, and lists the due checks and the news to send', async () => {
      const chatId = `chat-${randomUUID()}`;
      const order = await placeDressOrder(engine(), chatId);
      const due = Date.parse('2026-12-10T10:01:00Z');
      const { payment } = await calls.open(newPayment(order, { nextCheckAt: due }));
      expect(await calls.find({ id: payment.id })).toMatchObject({ reference: payment.reference });
      expect(await calls.find({ reference: payment.reference })).toMatchObject({ id: payment.id, channel: 'telegram', chatId });
      expect(await calls.find({ channel: 'telegram', chatId })).toMatchObject({ id: payment.id });
      expect(await calls.find({ reference: 'AKW-0-none00' })).toBeNull();
      expect(await calls.find({ id: 'not-a-uuid' })).toBeNull();

      const dueNow = async (at: number) => (await calls.list({ due: at, limit: 500 })).map((p) => p.id);
      expect(await dueNow(due - 1)).not.toContain(payment.id);
      expect(await dueNow(due)).toContain(payment.id);
      await engine().query('SELECT public.schedule_payment_check($1::uuid, $2::timestamptz)', [payment.id, new Date(due + 120_000).toISOString()]);
      expect(await dueNow(due)).not.toContain(payment.id);
      expect(await calls.find({ id: payment.id })).toMatchObject({ checks: 1, nextCheckAt: due + 120_000 });

      const unnotified = async () => (await calls.list({ unnotified: true, limit: 500 })).map((p) => p.id);
      expect(await unnotified()).not.toContain(payment.id);
      await calls.settle(payment.id, PAID);
      expect(await dueNow(due + 10 ** 9)).not.toContain(payment.id);
      expect(await unnotified()).toContain(payment.id);
      await engine().query("SELECT public.mark_payment_notified($1::uuid, 'pending')", [payment.id]);
      expect(await unnotified()).toContain(payment.id);
      await engine().query("SELECT public.mark_payment_notified($1::uuid, 'paid')", [payment.id]);
      expect(await unnotified()).not.toContain(payment.id);
      // schedule on a settled payment changes nothing
      await engine().query('SELECT public.schedule_payment_check($1::uuid, now())', [payment.id]);
      expect(await calls.find({ id: payment.id })).toMatchObject({ checks: 1, nextCheckAt: null });
    });

    it('adds up what was paid per day, without refunds or reviews, and shows it with the recent orders', async () => {
      const from = Date.now() - 60_000;
      const totals = async () => {
        const a = paymentTotalsArgs({ from, to: Date.now() + 60_000 });
        const [row] = await engine().query<{ r: unknown }>('SELECT public.payment_totals($1::timestamptz, $2::timestamptz) AS r', [a.p_from, a.p_to]);
        return toPaidTotals('test', row!.r);
      };
      const before = (await totals()).reduce((sum, day) => sum + day.paidFcfa, 0);
      const orders = await Promise.all([1, 2, 3].map(() => placeDressOrder(engine())));
      const payments = [];
      for (const order of orders) payments.push((await calls.open(newPayment(order))).payment);
      await calls.settle(payments[0]!.id, PAID);
      await calls.settle(payments[1]!.id, PAID);
      await calls.settle(payments[1]!.id, { status: 'refunded', by: 'owner' });
      await calls.settle(payments[2]!.id, { ...PAID, receivedAmount: 1 });
      const after = await totals();
      expect(after.reduce((sum, day) => sum + day.paidFcfa, 0) - before).toBe(47_000);
      expect(after.at(-1)!.day).toBe(new Date().toISOString().slice(0, 10));

      const [row] = await engine().query<{ o: unknown }>('SELECT public.recent_orders(200) AS o');
      const recent = toRecentOrders('test', row!.o);
      const statusOf = (order: OrderJson) => recent.find((o) => o.orderId === order.order_id)?.payment?.status;
      expect(orders.map(statusOf)).toEqual(['paid', 'refunded', 'review']);
      const cash = await placeDressOrder(engine());
      const [again] = await engine().query<{ o: unknown }>('SELECT public.recent_orders(5) AS o');
      expect(toRecentOrders('test', again!.o).find((o) => o.orderId === cash.order_id)?.payment).toBeNull();
    });

    it('keeps the table and the functions closed to anon and authenticated', async () => {
      for (const role of ['anon', 'authenticated']) {
        expect(await sqlError(engine().queryAs(role, 'SELECT * FROM public.payments LIMIT 1'))).toMatchObject({ code: '42501' });
        expect(await sqlError(engine().queryAs(role, "SELECT public.find_payment('{\"reference\":\"x\"}')"))).toMatchObject({ code: '42501' });
        expect(await sqlError(engine().queryAs(role, "SELECT public.settle_payment(gen_random_uuid(), 'paid', 'provider', '{}')"))).toMatchObject({ code: '42501' });
        expect(await sqlError(engine().queryAs(role, 'SELECT public.payment_totals(now(), now())'))).toMatchObject({ code: '42501' });
      }
    });
  });
}
