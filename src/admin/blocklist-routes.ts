import type { Hono } from 'hono';
import type { Blocklist } from '../abuse/blocklist.js';
import { requireAdmin } from './auth.js';

/**
 * The owner blocks and unblocks customers (`ADMIN_TOKEN` required):
 * `GET /admin/api/blocked`, `POST /admin/api/blocked/:channel/:chatId` (optional JSON
 * `{ "note": "…" }`), `DELETE /admin/api/blocked/:channel/:chatId`. A blocked customer's
 * messages are ignored without a word.
 */
export function addBlocklistRoutes(app: Hono, options: { adminToken: string | null; blocklist: Blocklist }): void {
  const { blocklist } = options;
  const guard = requireAdmin(options.adminToken);
  app.get('/admin/api/blocked', guard, (c) => c.json({ blocked: blocklist.list() }));
  app.post('/admin/api/blocked/:channel/:chatId', guard, async (c) => {
    const body: unknown = await c.req.json().catch(() => ({}));
    const note = typeof body === 'object' && body !== null && typeof (body as { note?: unknown }).note === 'string' ? (body as { note: string }).note : undefined;
    try {
      await blocklist.block(c.req.param('channel'), c.req.param('chatId'), note ? { note: note.slice(0, 200) } : {});
    } catch (error) {
      return c.json({ error: error instanceof Error ? error.message : String(error) }, 400);
    }
    return c.json({ blocked: true });
  });
  app.delete('/admin/api/blocked/:channel/:chatId', guard, async (c) => {
    const wasBlocked = await blocklist.unblock(c.req.param('channel'), c.req.param('chatId'));
    return c.json({ blocked: false, wasBlocked });
  });
}
