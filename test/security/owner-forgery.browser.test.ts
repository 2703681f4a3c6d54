/**
 * The owner's pages against another site on the same host (issue #13, items 3 and 5), in
 * Chromium: the owner is logged in; a page on another port (same site, so SameSite=Strict
 * cookies go along) posts a form and a `fetch` to block a customer and cancel an order, and
 * frames the dashboard to make the owner click. None of it may work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBlocklist, type Blocklist } from '../../src/abuse/blocklist.js';
import { addOwnerPages } from '../../src/admin/index.js';
import { createLogger } from '../../src/infra/logger.js';
import { fixtureStore, ORDER_ID } from '../admin/dashboard-fixture.js';
import { NOW } from '../records/history.js';
import { chromiumMissing, hasChromium, launchBrowser } from '../support/browser.js';

const TOKEN = 'owner-token-for-the-forgery-tests';
const WAIT = { timeout: 5000 };

async function listen(app: Hono): Promise<{ server: ServerType; url: string }> {
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.skipIf(!hasChromium)(`the owner’s pages against a page elsewhere on the same host${chromiumMissing}`, () => {
  let browser: Browser;
  let context: BrowserContext;
  let bot: { server: ServerType; url: string };
  let evil: { server: ServerType; url: string };
  let blocklist: Blocklist;
  let store: ReturnType<typeof fixtureStore>;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'akwaba-forgery-'));
    blocklist = await openBlocklist(join(dataDir, 'blocked.json'));
    store = fixtureStore();
    const app = new Hono();
    addOwnerPages(app, { adminToken: TOKEN, trustProxy: 0, store, blocklist, shopName: 'Mode Ivoire', logger: createLogger({ level: 'silent' }), now: () => NOW });
    bot = await listen(app);

    const attacker = new Hono();
    attacker.get('/form', (c) =>
      c.html(`<!doctype html><body><h1>Gagnez un pagne !</h1>
<form id="block" method="post" action="${bot.url}/admin/api/blocked/telegram/42"><input name="note" value="forged"></form>
<form id="cancel" method="post" action="${bot.url}/admin/orders/${ORDER_ID}/status" enctype="text/plain"><input name='{"status":"cancelled","x":"' value='"}'></form>
<script>document.getElementById(location.hash === '#cancel' ? 'cancel' : 'block').submit();</script></body>`),
    );
    attacker.get('/fetch', (c) =>
      c.html(`<!doctype html><body><script>
const post = (path, body, type) => fetch('${bot.url}' + path, { method: 'POST', credentials: 'include', mode: 'no-cors', headers: { 'content-type': type }, body });
Promise.allSettled([
  post('/admin/api/blocked/telegram/43', '{"note":"forged"}', 'text/plain'),
  post('/admin/orders/${ORDER_ID}/status', '{"status":"cancelled"}', 'text/plain'),
  fetch('${bot.url}/admin/api/blocked/telegram/44', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: '{}' }),
]).then(() => { document.title = 'done'; });
</script></body>`),
    );
    attacker.get('/frame', (c) => c.html(`<!doctype html><body><h1>Cliquez ici</h1><iframe src="${bot.url}/admin" width="800" height="600"></iframe></body>`));
    evil = await listen(attacker);

    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'fr-FR' });
    const owner = await context.newPage();
    const response = await owner.goto(`${bot.url}/admin?token=${TOKEN}`);
    expect(response?.status()).toBe(200);
    expect(owner.url()).toBe(`${bot.url}/admin`); // the token left the address bar
    await owner.close();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    for (const site of [bot, evil]) await new Promise<void>((resolve) => site?.server.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function visit(path: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${evil.url}${path}`);
    return page;
  }

  it('a form posted from another port of the same host blocks no one and cancels nothing', async () => {
    const block = await visit('/form');
    await block.waitForURL(`${bot.url}/admin/api/blocked/telegram/42`, WAIT);
    expect(await block.locator('body').innerText()).toContain('Action refusée');
    const cancel = await visit('/form#cancel');
    await cancel.waitForURL(`${bot.url}/admin/orders/${ORDER_ID}/status`, WAIT);

    expect(blocklist.isBlocked('telegram', '42')).toBe(false);
    expect(store.statusCalls).toEqual([]);
    await block.close();
    await cancel.close();
  });

  it('a fetch from another port of the same host, with the owner’s cookies, changes nothing', async () => {
    const page = await visit('/fetch');
    await expect.poll(() => page.title(), WAIT).toBe('done');

    expect(blocklist.list()).toEqual([]);
    expect(store.statusCalls).toEqual([]);
    await page.close();
  });

  it('the dashboard refuses to be framed by another page', async () => {
    const page = await visit('/frame');
    const framed = () => page.frames().find((frame) => frame !== page.mainFrame())?.url();
    // Chromium replaces a frame refused by frame-ancestors / X-Frame-Options with its error page.
    await expect.poll(framed, WAIT).toMatch(/^chrome-error:/);
    await page.close();
  });

  it('the owner’s own page still acts (JSON from its own origin)', async () => {
    const page = await context.newPage();
    await page.goto(`${bot.url}/admin`);
    await page.locator(`tr[data-order] form[action="/admin/orders/${ORDER_ID}/status"] button[value="confirmed"]`).click();
    await page.getByText('Commande confirmée.').waitFor(WAIT);
    expect(store.statusCalls).toEqual([[ORDER_ID, 'confirmed']]);
    await page.close();
  });
});
