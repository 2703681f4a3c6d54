import { Hono } from 'hono';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { requireAdmin } from '../../src/admin/auth.js';
import * as crypto from 'node:crypto';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const TOKEN = 'admin-7f3c9a1e5b2d8f4a6c0e9b7d';

function adminApp(token: string | null) {
  const app = new Hono();
  app.use('/admin/*', requireAdmin(token));
  app.get('/admin/orders', (c) => c.text('les commandes'));
  return app;
}

describe('requireAdmin', () => {
  const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
  beforeEach(() => {
    timingSafeEqual.mockClear();
  });

  it('with no ADMIN_TOKEN configured, the pages stay closed and say how to open them', async () => {
    const response = await adminApp(null).request('/admin/orders', { headers: { authorization: 'Bearer anything' } });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('ADMIN_TOKEN');
  });

  it('no token: 401', async () => {
    expect((await adminApp(TOKEN).request('/admin/orders')).status).toBe(401);
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

  it('the right token, as a bearer, a cookie or ?token= (then kept in an HttpOnly, SameSite=Strict cookie)', async () => {
    const app = adminApp(TOKEN);
    expect((await app.request('/admin/orders', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await app.request('/admin/orders', { headers: { cookie: `akwaba_admin=${encodeURIComponent(TOKEN)}` } })).status).toBe(200);
    const byQuery = await app.request(`/admin/orders?token=${TOKEN}`);
    expect(byQuery.status).toBe(200);
    expect(byQuery.headers.get('set-cookie')).toMatch(/^akwaba_admin=.+; HttpOnly; SameSite=Strict; Path=\//);
    expect(timingSafeEqual).toHaveBeenCalledTimes(3);
  });

  it('a wrong ?token= sets no cookie', async () => {
    const response = await adminApp(TOKEN).request('/admin/orders?token=guess');
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  // Expected to fail until the src/admin/auth.ts patch of the resilience report lands (today
  // decodeURIComponent throws and Hono answers 500). Turn `it.fails` into `it` then.
  it('a cookie that is not valid percent-encoding is refused, not a server error', async () => {
    const response = await adminApp(TOKEN).request('/admin/orders', { headers: { cookie: 'akwaba_admin=%E0%A4%A' } });
    expect(response.status).toBe(401);
  });
});
