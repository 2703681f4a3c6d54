import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { createOwnerAuth } from '../../src/admin/auth.js';
import { addDashboard } from '../../src/admin/dashboard.js';
import { newCheckoutState, type CheckoutState } from '../../src/shop/checkout/state.js';
import type { OrderStatus } from '../../src/store/types.js';
import { NOW } from '../records/history.js';
import { SNAPSHOT } from '../shop/fixtures.js';
import { fixtureStore, ORDER_ID } from './dashboard-fixture.js';

const TOKEN = 'a-long-admin-token-for-tests';
const auth = { authorization: `Bearer ${TOKEN}` };
const MINUTE = 60_000;

function checkout(chatId: string, minutesAgo: number, change: Partial<CheckoutState>): CheckoutState {
  return Object.assign(newCheckoutState(`telegram:${chatId}`, 'telegram', chatId, NOW - minutesAgo * MINUTE), change, { updatedAt: NOW - minutesAgo * MINUTE });
}

const STATES: CheckoutState[] = [
  checkout('1', 5, { step: 'phone', name: 'Awa <b>Koné</b>', items: [{ slug: 'robe-cocktail-bordeaux', name: 'Robe Cocktail Bordeaux', size: 'M', quantity: 1 }] }),
  checkout('2', 180, {
    step: 'summary',
    name: 'Aya Kouassi',
    phone: '+2250505050505',
    zone: 'Cocody',
    items: [
      { slug: 'robe-longue-dentelle', name: 'Robe Longue Dentelle', size: 'L', quantity: 1 },
      { slug: 'foulard-imprime-wax', name: 'Foulard Imprimé Wax', size: 'Unique', quantity: 2 },
    ],
  }),
  checkout('3', 3000, { step: 'size', pending: { slug: 'jupe-crayon-kita', quantity: 1 } }),
  checkout('4', 30, { step: 'done', items: [{ slug: 'sac-cabas-wax', name: 'Sac Cabas en Pagne Wax', size: 'Unique', quantity: 1 }] }),
  checkout('5', 60 * 24 * 9, { step: 'zone', items: [{ slug: 'sac-cabas-wax', name: 'Sac Cabas en Pagne Wax', size: 'Unique', quantity: 1 }] }),
];

function dashboard(onOrderStatus?: (orderId: string, status: OrderStatus) => Promise<void>) {
  const app = new Hono();
  addDashboard(app, {
    auth: createOwnerAuth({ adminToken: TOKEN }),
    store: fixtureStore(),
    shopName: 'Mode Ivoire',
    now: () => NOW,
    checkouts: { list: async () => STATES, catalogue: { snapshot: () => SNAPSHOT }, abandonedAfterMs: 60 * MINUTE },
    ...(onOrderStatus && { onOrderStatus }),
  });
  return app;
}

describe('the dashboard’s purchases', () => {
  it('sorts purchases into under way and abandoned, with the value left on the table; finished and week-old ones are not listed', async () => {
    const response = await dashboard().request('/admin/api/checkouts', { headers: auth });
    expect(response.status).toBe(200);
    const view = (await response.json()) as { inProgress: { customer: string; valueFcfa: number }[]; abandoned: { customer: string; items: string; valueFcfa: number | null; stepLabel: string }[]; abandonedValueFcfa: number };
    expect(view.inProgress).toMatchObject([{ customer: 'Awa <b>Koné</b>', valueFcfa: 45_000, stepLabel: 'donne son téléphone' }]);
    expect(view.abandoned).toMatchObject([
      { customer: 'Aya Kouassi', items: 'Robe Longue Dentelle (L), Foulard Imprimé Wax × 2', valueFcfa: 85_000, stepLabel: 'récapitulatif affiché, pas encore confirmé', phone: '+225 05 05 05 05 05' },
      { customer: '—', items: 'Jupe Crayon Kita (taille à choisir)', valueFcfa: null, stepLabel: 'choisit la taille' },
    ]);
    expect(view.abandonedValueFcfa).toBe(85_000);
  });

  it('shows them on the page, names escaped, with the lost sale', async () => {
    const html = await (await dashboard().request('/admin', { headers: auth })).text();
    expect(html).toContain('<h2>Achats en cours</h2>');
    expect(html).toMatch(/Vente perdue : <strong>85\s000\sFCFA<\/strong>/);
    expect(html).toContain('Awa &#60;b&#62;Koné&#60;/b&#62;');
    expect(html).not.toContain('<b>Koné</b>');
  });

  it('tells the customer of a status the owner sets, after the database took it', async () => {
    const told: [string, OrderStatus][] = [];
    const app = dashboard(async (orderId, status) => void told.push([orderId, status]));
    const login = await app.request(`http://localhost/admin?token=${TOKEN}`);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    // An action as the page sends it: JSON, from its own origin, with the owner's session.
    const act = (orderId: string) =>
      app.request(`http://localhost/admin/orders/${orderId}/status`, {
        method: 'POST',
        headers: { cookie, origin: 'http://localhost', 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'confirmed' }),
      });
    expect((await act(ORDER_ID)).status).toBe(200);
    await vi.waitFor(() => expect(told).toEqual([[ORDER_ID, 'confirmed']]));
    const refused = await act('00000000-0000-4000-8000-000000000000');
    expect(((await refused.json()) as { location: string }).location).toContain('err=order-refused');
    expect(told).toHaveLength(1);
  });
});
