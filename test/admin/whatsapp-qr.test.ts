import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createOwnerAuth } from '../../src/admin/auth.js';
import { addWhatsAppQrPage } from '../../src/admin/whatsapp-qr.js';
import type { Health } from '../../src/core/channel.js';

const TOKEN = 'a-long-admin-token-for-tests';

function page(adminToken: string | null, qr: string | null, status: Health = { state: 'starting', detail: 'scan the QR code' }) {
  const app = new Hono();
  addWhatsAppQrPage(app, { auth: createOwnerAuth({ adminToken }), qr: () => qr, status: () => status });
  return app;
}

describe('the WhatsApp QR page', () => {
  it('stays closed, and says how to open it, when no ADMIN_TOKEN is set', async () => {
    const response = await page(null, '2@abc').request('/admin/whatsapp');
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/définissez ADMIN_TOKEN/);
  });

  it('refuses a wrong token and shows no QR code', async () => {
    const response = await page(TOKEN, '2@abc').request('/admin/whatsapp?token=wrong-token-of-some-length');
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain('<svg');
  });

  it('shows the QR code as an SVG to the owner, who comes with ?token= once and then holds a session', async () => {
    const app = page(TOKEN, '2@AbCdEf,ghIjk=,lmn=');
    const login = await app.request(`/admin/whatsapp?token=${TOKEN}`);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/admin/whatsapp');
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect(cookie).toMatch(/^akwaba_session=[A-Za-z0-9_-]{43}$/);
    const response = await app.request('/admin/whatsapp', { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<svg');
    expect((await app.request('/admin/whatsapp', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('shows the state, escaped, when there is no QR code to scan', async () => {
    const response = await page(TOKEN, null, { state: 'degraded', detail: '<b>browser</b> gone' }).request('/admin/whatsapp', {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const html = await response.text();
    expect(html).toContain('degraded');
    expect(html).toContain('&#60;b&#62;browser&#60;/b&#62; gone');
  });
});
