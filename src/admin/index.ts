/**
 * The owner's pages: login, dashboard, blocklist and (added by `main.ts` when WhatsApp runs)
 * the QR code page, all behind one {@link OwnerAuth}.
 */
import type { Hono } from 'hono';
import type { Blocklist } from '../abuse/blocklist.js';
import type { Logger } from '../infra/logger.js';
import { createOwnerAuth, type OwnerAuth } from './auth.js';
import { addBlocklistRoutes } from './blocklist-routes.js';
import { addDashboard, type DashboardOptions } from './dashboard.js';

export { createOwnerAuth, SESSION_COOKIE, type OwnerAuth, type OwnerAuthOptions } from './auth.js';
export { addBlocklistRoutes } from './blocklist-routes.js';
export { addDashboard, type DashboardOptions } from './dashboard.js';
export { addWhatsAppQrPage, printQrInTerminal } from './whatsapp-qr.js';

/** What {@link addOwnerPages} needs. */
export interface OwnerPagesOptions extends Omit<DashboardOptions, 'auth'> {
  /** `ADMIN_TOKEN`; `null` keeps the pages closed. */
  readonly adminToken: string | null;
  /** `TRUST_PROXY`. */
  readonly trustProxy: number;
  readonly blocklist: Blocklist;
  readonly logger: Logger;
}

/**
 * Adds the login routes, the dashboard and the blocklist API; returns the door they share, for
 * pages added later (the WhatsApp QR code).
 *
 * @example
 * const owner = addOwnerPages(http, { adminToken: config.adminToken, trustProxy: config.trustProxy, store, handoff, blocklist, shopName, logger });
 */
export function addOwnerPages(app: Hono, options: OwnerPagesOptions): OwnerAuth {
  const { adminToken, trustProxy, blocklist, ...dashboard } = options;
  const auth = createOwnerAuth({ adminToken, trustProxy });
  auth.addLoginRoutes(app);
  addDashboard(app, { ...dashboard, auth });
  addBlocklistRoutes(app, { auth, blocklist });
  return auth;
}
