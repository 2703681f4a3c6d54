import type { Hono } from 'hono';
import type { Blocklist } from '../abuse/blocklist.js';
import type { OwnerAuth } from './auth.js';
import { actionBody } from './owner-actions.js';

/**
 * The owner blocks and unblocks customers: `GET /admin/api/blocked`,
 * `POST /admin/api/blocked/:channel/:chatId` (JSON, optionally `{ "note": "…" }`),
 * `DELETE /admin/api/blocked/:channel/:chatId`. Reads need the owner's session or token;
 * changes are owner actions (same origin and JSON, or the bearer token). A blocked
 * customer's messages are ignored without a word.
 */
export function addBlocklistRoutes(app: Hono, options: { auth: Pick<OwnerAuth, 'guard' | 'action'>; blocklist: Blocklist }): void {
  const { blocklist, auth } = options;
  app.get('/admin/api/blocked', auth.guard, (c) => c.json({ blocked: blocklist.list() }));
  app.post('/admin/api/blocked/:channel/:chatId', auth.action, async (c) => {
    const body = await actionBody(c);
    if (!body) return c.json({ error: 'invalid_body', message: 'Un objet JSON est attendu, par exemple {"note": "insultes"}.' }, 400);
    const note = typeof body['note'] === 'string' ? body['note'] : undefined;
    try {
      await blocklist.block(c.req.param('channel'), c.req.param('chatId'), note ? { note: note.slice(0, 200) } : {});
    } catch (error) {
      return c.json({ error: error instanceof Error ? error.message : String(error) }, 400);
    }
    return c.json({ blocked: true });
  });
  app.delete('/admin/api/blocked/:channel/:chatId', auth.action, async (c) => {
    const wasBlocked = await blocklist.unblock(c.req.param('channel'), c.req.param('chatId'));
    return c.json({ blocked: false, wasBlocked });
  });
}
