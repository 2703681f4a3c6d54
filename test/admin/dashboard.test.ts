import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createOwnerAuth } from '../../src/admin/auth.js';
import { addDashboard } from '../../src/admin/dashboard.js';
import type { DashboardStats } from '../../src/admin/dashboard-data.js';
import type { HandedOffChat } from '../../src/handoff/index.js';
import { EXPECTED_TOTALS, NOW } from '../records/history.js';
import { fixtureStore, ORDER_ID } from './dashboard-fixture.js';

const TOKEN = 'a-long-admin-token-for-tests';
const auth = { authorization: `Bearer ${TOKEN}` };

function dashboard(adminToken: string | null = TOKEN, handoffs: HandedOffChat[] = []) {
  const store = fixtureStore();
  const app = new Hono();
  const replies: [string, string, string][] = [];
  addDashboard(app, {
    auth: createOwnerAuth({ adminToken }),
    store,
    shopName: 'Mode Ivoire',
    now: () => NOW,
    handoff: {
      list: () => handoffs,
      reply: async (channel, chatId, text) => void replies.push([channel, chatId, text]),
      handBack: async () => undefined,
      takeOver: async () => undefined,
    },
  });
  return { app, store, replies };
}

/** The text of the element carrying `data-kpi="name"`'s value. */
function kpi(html: string, name: string): string | undefined {
  return new RegExp(`data-kpi="${name}"><span class="label">[^<]*</span><strong class="value">([^<]*)</strong>`).exec(html)?.[1];
}

describe('the dashboard’s door', () => {
  it('stays closed and says how to open it without ADMIN_TOKEN', async () => {
    const { app } = dashboard(null);
    for (const path of ['/admin', '/admin/api/stats', '/admin/assets/dashboard.js']) {
      const response = await app.request(path);
      expect(response.status).toBe(403);
      const text = await response.text();
      expect(text).toMatch(/définissez ADMIN_TOKEN/);
      expect(text).not.toContain('Conversations');
    }
  });

  it('refuses a wrong token everywhere, actions included', async () => {
    const { app, store } = dashboard();
    for (const path of ['/admin?token=wrong-token-of-some-length', '/admin/api/stats', '/admin/api/handoffs']) {
      expect((await app.request(path, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    }
    const post = await app.request(`/admin/orders/${ORDER_ID}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'cancelled' }),
    });
    expect(post.status).toBe(401);
    expect(store.statusCalls).toEqual([]);
  });
});

describe('the dashboard page', () => {
  it('shows the month’s headline figures', async () => {
    const response = await dashboard().app.request('/admin', { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(kpi(html, 'conversations')).toBe('9');
    expect(kpi(html, 'messages')).toBe('12');
    expect(kpi(html, 'fallbacks')).toBe('7');
    expect(kpi(html, 'recoveries')).toBe('4');
    expect(kpi(html, 'recovery-rate')).toBe('57\u00a0%');
    expect(kpi(html, 'abandons')).toBe('2');
    expect(kpi(html, 'orders')).toBe('2');
    expect(html).toContain('data-kpi="revenue"><span class="label">Ventes</span><strong class="value">120\u00a0000<small>\u00a0FCFA</small></strong>');
    expect(html).toContain('4 délais · 3 erreurs');
    expect(html).toContain('1 encore en attente');
    expect(html).toMatch(/data-latency="p50"><span class="label">[^<]*<\/span><strong>3,0\u00a0s</);
    expect(html).toMatch(/data-latency="p90"><span class="label">[^<]*<\/span><strong>40,0\u00a0s</);
    expect(html).toContain('30 derniers jours (du 27 octobre au 25 novembre)');
    expect(html).toMatch(/<tr data-channel="whatsapp"><th scope="row">WhatsApp<\/th><td data-label="Conversations">4<\/td>/);
  });

  it('escapes every customer text and name', async () => {
    const html = await (await dashboard().app.request('/admin', { headers: auth })).text();
    expect(html).toContain('Bintou &#60;b&#62;');
    expect(html).toContain('Bonjour &#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('Awa &#60;img src=x onerror=alert(1)&#62;');
    expect(html).not.toMatch(/<script>alert|<img src=x|<b>/);
  });

  it('shows the fallback moments apart, with what became of them', async () => {
    const html = await (await dashboard().app.request('/admin', { headers: auth })).text();
    const w4 = html.slice(html.indexOf('data-chat="whatsapp:W4"'), html.indexOf('</details>', html.indexOf('data-chat="whatsapp:W4"')));
    expect(w4).toContain('class="msg out kind-fallback"');
    expect(w4).toContain('Délai dépassé · <b class="outcome-abandoned">abandon</b>');
    expect(w4).toContain('class="msg out kind-human"');
    const t3 = html.slice(html.indexOf('data-chat="telegram:T3"'));
    expect(t3).toContain('Panne du fournisseur · <b class="outcome-recovered">récupérée</b>');
  });

  it('serves the chart’s figures as JSON', async () => {
    const response = await dashboard().app.request('/admin/api/stats', { headers: auth });
    const stats = (await response.json()) as DashboardStats;
    expect(stats.totals).toMatchObject(EXPECTED_TOTALS);
    expect(stats.series.days).toHaveLength(30);
    expect(stats.series.conversations.at(-2)).toBe(7);
    expect(stats.latency).toEqual({ count: 6, p50: 3000, p90: 40_000, p99: 40_000 });
  });

  it('serves its script, style and uPlot from the package, not a CDN', async () => {
    const { app } = dashboard();
    const html = await (await app.request('/admin', { headers: auth })).text();
    expect(html).not.toMatch(/https?:\/\//);
    const uplot = await app.request('/admin/assets/uplot.min.js', { headers: auth });
    expect(uplot.headers.get('content-type')).toMatch(/javascript/);
    expect(await uplot.text()).toContain('uPlot');
    expect((await app.request('/admin/assets/dashboard.css', { headers: auth })).status).toBe(200);
    expect((await app.request('/admin/assets/..%2Fdashboard.ts', { headers: auth })).status).toBe(404);
  });

  it('still opens, with the people waiting, when the database is down', async () => {
    const waiting: HandedOffChat = {
      channel: 'telegram', chatId: '42', customerName: 'Awa', reason: 'request', since: NOW - 60_000, ownerActiveAt: NOW - 60_000, unread: 1,
      recent: [{ from: 'customer', text: 'je veux parler à quelqu’un', at: NOW - 60_000 }],
    };
    const { app, store } = dashboard(TOKEN, [waiting]);
    store.state.down = true;
    const response = await app.request('/admin', { headers: auth });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('La base de données ne répond pas');
    expect(html).toContain('data-handoff="telegram:42"');
    expect(html).toContain('<title>(1) Tableau de bord — Mode Ivoire</title>');
    expect((await app.request('/admin/api/stats', { headers: auth })).status).toBe(503);
  });
});

describe('the dashboard’s actions', () => {
  /** An action as the page sends it: JSON, from its own origin, with the owner's session cookie. */
  const fromPage = (cookie: string, body: Record<string, string>, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { cookie, origin: 'http://localhost', 'sec-fetch-site': 'same-origin', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

  /** Logs in with `?token=` and returns the session cookie. */
  async function login(app: Hono): Promise<string> {
    const response = await app.request(`http://localhost/admin?token=${TOKEN}`);
    expect(response.status).toBe(303);
    return response.headers.get('set-cookie')!.split(';')[0]!;
  }

  const locationOf = async (response: Response) => ((await response.json()) as { location: string }).location;

  it('moves an order along and points the page back to the orders', async () => {
    const { app, store } = dashboard();
    const cookie = await login(app);
    const response = await app.request(`http://localhost/admin/orders/${ORDER_ID}/status`, fromPage(cookie, { status: 'confirmed' }));
    expect(response.status).toBe(200);
    expect(await locationOf(response)).toBe('/admin?ok=confirmed#commandes');
    expect(store.statusCalls).toEqual([[ORDER_ID, 'confirmed']]);
    const page = await (await app.request('/admin?ok=confirmed', { headers: { cookie } })).text();
    expect(page).toContain('Commande confirmée.');
  });

  it('says so when the change is refused or the database is down', async () => {
    const { app, store } = dashboard();
    const cookie = await login(app);
    const refused = await app.request('http://localhost/admin/orders/not-an-order/status', fromPage(cookie, { status: 'confirmed' }));
    expect(await locationOf(refused)).toBe('/admin?err=order-refused#commandes');
    const bogus = await app.request(`http://localhost/admin/orders/${ORDER_ID}/status`, fromPage(cookie, { status: 'shipped' }));
    expect(await locationOf(bogus)).toBe('/admin?err=order-refused#commandes');
    store.state.down = true;
    const down = await app.request(`http://localhost/admin/orders/${ORDER_ID}/status`, fromPage(cookie, { status: 'confirmed' }));
    expect(down.status).toBe(503);
    expect(await locationOf(down)).toBe('/admin?err=order-failed#commandes');
  });

  it('refuses an action from another origin, a form, or without Origin, with the owner’s cookie', async () => {
    const { app, store, replies } = dashboard();
    const cookie = await login(app);
    const order = await app.request(`http://localhost/admin/orders/${ORDER_ID}/status`, fromPage(cookie, { status: 'cancelled' }, { origin: 'https://evil.example' }));
    expect(order.status).toBe(403);
    expect(await order.json()).toMatchObject({ error: 'bad_origin' });
    const sibling = await app.request(`http://localhost/admin/orders/${ORDER_ID}/status`, fromPage(cookie, { status: 'cancelled' }, { origin: 'http://localhost:8080', 'sec-fetch-site': 'same-site' }));
    expect(sibling.status).toBe(403);
    const form = await app.request('http://localhost/admin/conversations/telegram/42/reply', {
      method: 'POST',
      headers: { cookie, origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'text=spam',
    });
    expect(form.status).toBe(415);
    const { origin: _origin, ...withoutOrigin } = fromPage(cookie, { text: 'spam' }).headers;
    const noOrigin = await app.request('http://localhost/admin/conversations/telegram/42/reply', { ...fromPage(cookie, { text: 'spam' }), headers: withoutOrigin });
    expect(noOrigin.status).toBe(403);
    expect(store.statusCalls).toEqual([]);
    expect(replies).toEqual([]);
  });

  it('takes an action from a script with the bearer token (no cookie, so no Origin needed)', async () => {
    const { app, store } = dashboard();
    const response = await app.request(`http://localhost/admin/orders/${ORDER_ID}/status`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'delivered' }),
    });
    expect(response.status).toBe(200);
    expect(store.statusCalls).toEqual([[ORDER_ID, 'delivered']]);
  });

  it('sends the owner’s reply to the customer’s chat', async () => {
    const { app, replies } = dashboard();
    const cookie = await login(app);
    const response = await app.request(`http://localhost/admin/conversations/whatsapp/${encodeURIComponent('225070@c.us')}/reply`, fromPage(cookie, { text: 'Bonjour !' }));
    expect(await locationOf(response)).toBe('/admin?ok=reply-sent#personnes');
    expect(replies).toEqual([['whatsapp', '225070@c.us', 'Bonjour !']]);
  });
});
