import { Hono } from 'hono';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createOwnerAuth, type OwnerAuthOptions } from '../../src/admin/auth.js';
import * as crypto from 'node:crypto';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const TOKEN = 'admin-7f3c9a1e5b2d8f4a6c0e9b7d';
const HOUR = 60 * 60_000;

function adminApp(token: string | null, options: Partial<OwnerAuthOptions> = {}) {
  const app = new Hono();
  const auth = createOwnerAuth({ adminToken: token, ...options });
  auth.addLoginRoutes(app);
  app.get('/admin/orders', auth.guard, (c) => c.text('les commandes'));
  app.get('/admin/api/stats', auth.guard, (c) => c.json({ ok: true }));
  return app;
}

const cookieOf = (response: Response) => response.headers.get('set-cookie')?.split(';')[0] ?? '';

describe('the owner’s door', () => {
  const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
  beforeEach(() => {
    timingSafeEqual.mockClear();
  });

  it('with no ADMIN_TOKEN configured, the pages stay closed and say how to open them', async () => {
    const response = await adminApp(null).request('/admin/orders', { headers: { authorization: 'Bearer anything' } });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('ADMIN_TOKEN');
  });

  it('no token: 401 with the login page for a page, JSON for the API', async () => {
    const page = await adminApp(TOKEN).request('/admin/orders');
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('<form method="post" action="/admin/login">');
    const api = await adminApp(TOKEN).request('/admin/api/stats');
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: 'unauthorized' });
  });

  it.each([
    ['a one-character token', 'a'],
    ['the token minus its last character', TOKEN.slice(0, -1)],
    ['the token plus one character', `${TOKEN}x`],
    ['the token in capitals', TOKEN.toUpperCase()],
    ['a 10 000-character token', 'x'.repeat(10_000)],
    ['a token with accents', 'éàç'],
  ])('%s: 401, compared in constant time on equal-length digests, never a crash', async (_name, given) => {
    const response = await adminApp(TOKEN).request('/admin/orders', { headers: { authorization: `Bearer ${given}` } });
    expect(response.status).toBe(401);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [a, b] = timingSafeEqual.mock.calls[0]!;
    expect([a.byteLength, b.byteLength]).toEqual([32, 32]);
  });

  it('?token= opens a session once: a random id in an HttpOnly, SameSite=Strict cookie for 12 h, then a clean URL', async () => {
    const app = adminApp(TOKEN);
    const byQuery = await app.request(`/admin/orders?token=${TOKEN}&jour=lundi`);
    expect(byQuery.status).toBe(303);
    expect(byQuery.headers.get('location')).toBe('/admin/orders?jour=lundi');
    const setCookie = byQuery.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^akwaba_session=[A-Za-z0-9_-]{43}; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(setCookie).not.toContain(TOKEN);
    expect(setCookie).not.toContain(encodeURIComponent(TOKEN));

    const cookie = cookieOf(byQuery);
    expect((await app.request('/admin/orders', { headers: { cookie } })).status).toBe(200);
    // A valid session and an empty ?token= (a bookmark) is no reason to refuse: back to the clean URL.
    const empty = await app.request('/admin/orders?token=', { headers: { cookie } });
    expect(empty.status).toBe(303);
    expect(empty.headers.get('location')).toBe('/admin/orders');
  });

  it('the bearer token works for scripts, without a session', async () => {
    const response = await adminApp(TOKEN).request('/admin/api/stats', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('no longer takes the old cookie that held the raw token, and clears it', async () => {
    const response = await adminApp(TOKEN).request('/admin/orders', { headers: { cookie: `akwaba_admin=${encodeURIComponent(TOKEN)}` } });
    expect(response.status).toBe(401);
    const withSession = adminApp(TOKEN);
    const cookie = cookieOf(await withSession.request(`/admin/orders?token=${TOKEN}`));
    const cleared = await withSession.request('/admin/orders', { headers: { cookie: `${cookie}; akwaba_admin=${TOKEN}` } });
    expect(cleared.status).toBe(200);
    expect(cleared.headers.get('set-cookie')).toContain('akwaba_admin=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
  });

  it('a session ends after 12 hours', async () => {
    let now = Date.parse('2025-11-25T08:00:00Z');
    const app = adminApp(TOKEN, { now: () => now });
    const cookie = cookieOf(await app.request(`/admin/orders?token=${TOKEN}`));
    now += 12 * HOUR - 1000;
    expect((await app.request('/admin/orders', { headers: { cookie } })).status).toBe(200);
    now += 2000;
    const expired = await app.request('/admin/orders', { headers: { cookie } });
    expect(expired.status).toBe(401);
    expect(await expired.text()).toContain('Votre session a expiré');
  });

  it('marks the cookie Secure over HTTPS, and behind a trusted proxy that says X-Forwarded-Proto: https', async () => {
    const direct = await adminApp(TOKEN).request(`https://shop.example/admin/orders?token=${TOKEN}`);
    expect(direct.headers.get('set-cookie')).toMatch(/; Secure$/);
    const proxied = await adminApp(TOKEN, { trustProxy: 1 }).request(`/admin/orders?token=${TOKEN}`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.headers.get('set-cookie')).toMatch(/; Secure$/);
    const untrusted = await adminApp(TOKEN).request(`/admin/orders?token=${TOKEN}`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(untrusted.headers.get('set-cookie')).not.toContain('Secure');
  });

  it('the login page takes the token by POST, and goes back to an owner page only', async () => {
    const app = adminApp(TOKEN);
    const form = await app.request('/admin/login?next=/admin/orders');
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="next" value="/admin/orders"');
    const login = (token: string, next: string) =>
      app.request('/admin/login', { method: 'POST', body: new URLSearchParams({ token, next }) });

    const ok = await login(TOKEN, '/admin/orders');
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/admin/orders');
    expect((await app.request('/admin/orders', { headers: { cookie: cookieOf(ok) } })).status).toBe(200);
    expect((await login(TOKEN, '//evil.example/admin')).headers.get('location')).toBe('/admin');
    expect((await login(TOKEN, 'https://evil.example/')).headers.get('location')).toBe('/admin');
    const wrong = await login('not-the-owner-token', '/admin');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Accès refusé : jeton invalide.');
  });

  it('after ten wrong tokens from one address, refuses even the right one for a while', async () => {
    let now = Date.parse('2025-11-25T08:00:00Z');
    const app = adminApp(TOKEN, { now: () => now });
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect((await app.request('/admin/orders', { headers: { authorization: `Bearer guess-${attempt}-xxxxxxxxxxxx` } })).status).toBe(401);
    }
    const blocked = await app.request('/admin/orders', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(blocked.status).toBe(429);
    now += 15 * 60_000;
    expect((await app.request('/admin/orders', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('logging out ends the session', async () => {
    const app = adminApp(TOKEN);
    const cookie = cookieOf(await app.request(`http://localhost/admin/orders?token=${TOKEN}`));
    const out = await app.request('http://localhost/admin/logout', {
      method: 'POST',
      headers: { cookie, origin: 'http://localhost', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(out.status).toBe(200);
    expect((await app.request('/admin/orders', { headers: { cookie } })).status).toBe(401);
  });

  it('a wrong ?token= sets no cookie', async () => {
    const response = await adminApp(TOKEN).request('/admin/orders?token=guess');
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('a cookie that is not valid percent-encoding is refused, not a server error', async () => {
    const response = await adminApp(TOKEN).request('/admin/orders', { headers: { cookie: 'akwaba_session=%E0%A4%A' } });
    expect(response.status).toBe(401);
  });

  it('every owner response forbids framing', async () => {
    const app = adminApp(TOKEN);
    for (const response of [await app.request(`/admin/orders?token=${TOKEN}`), await app.request('/admin/orders'), await app.request('/admin/login')]) {
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
    const cookie = cookieOf(await app.request(`/admin/orders?token=${TOKEN}`));
    const page = await app.request('/admin/orders', { headers: { cookie } });
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  });
});
