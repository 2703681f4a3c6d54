import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { openBlocklist } from '../../src/abuse/blocklist.js';
import { createOwnerAuth } from '../../src/admin/auth.js';
import { addBlocklistRoutes } from '../../src/admin/blocklist-routes.js';

const TOKEN = 'owner-token-for-the-blocklist-test';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('the owner blocks a customer', () => {
  it('blocks, lists and unblocks, and only with the admin token', async () => {
    const blocklist = await openBlocklist(join(mkdtempSync(join(tmpdir(), 'akwaba-block-')), 'blocked.json'));
    const app = new Hono();
    addBlocklistRoutes(app, { auth: createOwnerAuth({ adminToken: TOKEN }), blocklist });

    expect((await app.request('/admin/api/blocked/telegram/42', { method: 'POST' })).status).toBe(401);
    expect(blocklist.isBlocked('telegram', '42')).toBe(false);

    const blocked = await app.request('/admin/api/blocked/telegram/42', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'spam' }),
    });
    expect(blocked.status).toBe(200);
    expect(blocklist.isBlocked('telegram', '42')).toBe(true);
    const list = (await (await app.request('/admin/api/blocked', { headers: auth })).json()) as { blocked: { chatId: string; note?: string }[] };
    expect(list.blocked).toEqual([expect.objectContaining({ chatId: '42', note: 'spam' })]);

    const unblocked = await app.request('/admin/api/blocked/telegram/42', { method: 'DELETE', headers: auth });
    expect(await unblocked.json()).toEqual({ blocked: false, wasBlocked: true });
    expect(blocklist.isBlocked('telegram', '42')).toBe(false);
  });
});
