import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { addWhatsAppQrPage } from '../../src/admin/whatsapp-qr.js';
import type { Health } from '../../src/core/channel.js';

const TOKEN = 'a-long-admin-token-for-tests';

function page(adminToken: string | null, qr: string | null, status: Health = { state: 'starting', detail: 'scan the QR code' }) {
  const app = new Hono();
  addWhatsAppQrPage(app, { adminToken, qr: () => qr, status: () => status });
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

  it('shows the QR code as an SVG to the owner, and remembers the owner in a cookie', async () => {
    const app = page(TOKEN, '2@AbCdEf,ghIjk=,lmn=');
    const response = await app.request(`/admin/whatsapp?token=${TOKEN}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<svg');
    const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
    expect(cookie).toBe(`akwaba_admin=${TOKEN}`);
    expect((await app.request('/admin/whatsapp', { headers: { cookie } })).status).toBe(200);
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
