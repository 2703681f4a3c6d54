import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createOwnerAuth } from '../../src/admin/auth.js';
import { addDashboard } from '../../src/admin/dashboard.js';
import { OrderRejectedError, StoreError } from '../../src/store/errors.js';
import type { Payment } from '../../src/store/payments.js';
import type { RecentOrder } from '../../src/store/records.js';
import { NOW } from '../records/history.js';
import { fixtureStore } from './dashboard-fixture.js';

const TOKEN = 'a-long-admin-token-for-tests';
const PAID_ID = '11111111-1111-4111-8111-111111111111';
const REVIEW_ID = '22222222-2222-4222-8222-222222222222';

function payment(id: string, status: Payment['status'], detail: string | null = null): Payment {
  return {
    id,
    orderId: 'o',
    orderNumber: 1042,
    orderStatus: 'pending',
    channel: 'telegram',
    chatId: 'T1',
    provider: status === 'review' ? 'cinetpay' : 'wave',
    reference: `AKW-1042-${id.slice(0, 6)}`,
    providerRef: null,
    url: 'https://pay.wave.com/c/cos-1',
    amountFcfa: 47_000,
    currency: 'XOF',
    status,
    detail,
    receivedAmount: null,
    receivedCurrency: null,
    transactionId: null,
    expiresAt: null,
    checks: 0,
    nextCheckAt: null,
    notifiedStatus: status,
    createdAt: NOW,
    settledAt: NOW,
  };
}

function dashboard(options: { payments?: boolean } = {}) {
  const base = fixtureStore();
  const store = {
    ...base,
    async listRecentOrders(): Promise<RecentOrder[]> {
      const [first, second] = await base.listRecentOrders();
      return [
        { ...first!, payment: payment(PAID_ID, 'paid') },
        { ...second!, number: 1043, payment: payment(REVIEW_ID, 'review', 'montant reçu 4700 XOF, attendu 47000 XOF') },
        { ...second!, number: 1044, payment: null },
      ];
    },
    async paymentTotals() {
      return [
        { day: new Date(NOW - 86_400_000).toISOString().slice(0, 10), paidFcfa: 92_000, payments: 2 },
        { day: new Date(NOW).toISOString().slice(0, 10), paidFcfa: 47_000, payments: 1 },
      ];
    },
  };
  const settled: [string, string][] = [];
  let failure: Error | undefined;
  const app = new Hono();
  addDashboard(app, {
    auth: createOwnerAuth({ adminToken: TOKEN }),
    store,
    shopName: 'Mode Ivoire',
    now: () => NOW,
    ...(options.payments !== false && { payments: {
      async settleByOwner(id, status) {
        if (failure) throw failure;
        settled.push([id, status]);
        return { changed: true, payment: payment(id, status) };
      },
    } }),
  });
  return { app, settled, fail: (error: Error | undefined) => (failure = error) };
}

/** An action as a script sends it: JSON with the bearer token. */
const fromScript = (body: Record<string, string>) => ({
  method: 'POST',
  headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const locationOf = async (response: Response) => ((await response.json()) as { location: string }).location;

describe('the dashboard and mobile money', () => {
  it('shows today\'s money received beside sales, and each order\'s payment', async () => {
    const { app } = dashboard();
    const html = await (await app.request('/admin', { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(html).toMatch(/data-kpi="paid"><span class="label">Encaissé aujourd’hui<\/span><strong class="value">47\s000<small>/u);
    expect(html).toMatch(/139\s000\sFCFA sur la période · 1 paiement aujourd’hui/u);
    expect(html.indexOf('data-kpi="revenue"')).toBeLessThan(html.indexOf('data-kpi="paid"'));
    const row = (number: number) => new RegExp(`<tr data-order="${number}">[\\s\\S]*?</tr>`).exec(html)![0];
    expect(row(1042)).toMatch(/data-payment="paid"><span class="status payment-paid">Payée<\/span> <span class="muted">Wave<\/span>/);
    expect(row(1042)).toContain(`action="/admin/payments/${PAID_ID}"`);
    expect(row(1042)).toContain('value="refunded">Noter remboursé');
    expect(row(1043)).toContain('À vérifier');
    expect(row(1043)).toContain('montant reçu 4700 XOF, attendu 47000 XOF');
    expect(row(1043)).toContain('value="paid">Valider le paiement');
    expect(row(1044)).toContain('À la livraison');
    expect(row(1044)).not.toContain('/admin/payments/');

    const cashOnly = await (await dashboard({ payments: false }).app.request('/admin', { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(cashOnly).not.toContain('data-kpi="paid"');
    expect(cashOnly).toContain('data-kpi="revenue"');
  });

  it('lets the owner note a refund or accept a payment under review, and nothing else', async () => {
    const { app, settled, fail } = dashboard();
    const refunded = await app.request(`http://localhost/admin/payments/${PAID_ID}`, fromScript({ action: 'refunded' }));
    expect(refunded.status).toBe(200);
    expect(await locationOf(refunded)).toBe('/admin?ok=payment-refunded#commandes');
    const accepted = await app.request(`http://localhost/admin/payments/${REVIEW_ID}`, fromScript({ action: 'paid' }));
    expect(await locationOf(accepted)).toBe('/admin?ok=payment-accepted#commandes');
    expect(settled).toEqual([
      [PAID_ID, 'refunded'],
      [REVIEW_ID, 'paid'],
    ]);

    const bogus = await app.request(`http://localhost/admin/payments/${PAID_ID}`, fromScript({ action: 'failed' }));
    expect([bogus.status, await locationOf(bogus)]).toEqual([409, '/admin?err=payment-refused#commandes']);
    const anonymous = await app.request(`http://localhost/admin/payments/${PAID_ID}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"action":"refunded"}' });
    expect(anonymous.status).toBe(401);
    fail(new OrderRejectedError('invalid_transition', 'non'));
    expect(await locationOf(await app.request(`http://localhost/admin/payments/${PAID_ID}`, fromScript({ action: 'refunded' })))).toBe('/admin?err=payment-refused#commandes');
    fail(new StoreError('payments.settle', { code: 'store_unavailable' }));
    const down = await app.request(`http://localhost/admin/payments/${PAID_ID}`, fromScript({ action: 'refunded' }));
    expect([down.status, await locationOf(down)]).toEqual([503, '/admin?err=payment-failed#commandes']);
    expect(settled).toHaveLength(2);
  });
});
