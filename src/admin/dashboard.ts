import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Context, Hono } from 'hono';
import type { Handoff } from '../handoff/index.js';
import { HandoffError } from '../handoff/index.js';
import type { Logger } from '../infra/logger.js';
import type { Payments } from '../shop/payments/payments.js';
import { OrderRejectedError } from '../store/errors.js';
import { packageRoot } from '../store/sql.js';
import { ORDER_STATUSES, type OrderStatus } from '../store/types.js';
import type { OwnerAuth } from './auth.js';
import { actionBody } from './owner-actions.js';
import { DEFAULT_SCOPE, loadStats, loadView, type DashboardScope, type DashboardStore } from './dashboard-data.js';
import { loadCheckouts, type CheckoutsView, type DashboardCheckouts } from './dashboard-checkouts.js';
import { dashboardPage, type AssetVersions, type Notice } from './dashboard-page.js';

/** Options of {@link addDashboard}. */
export interface DashboardOptions {
  /** The door of the owner's pages (`ADMIN_TOKEN`, sessions, same-origin JSON actions). */
  readonly auth: Pick<OwnerAuth, 'guard' | 'action'>;
  readonly store: DashboardStore;
  /** The handoff, for the badge, the owner's replies and the hand-back button. */
  readonly handoff?: Pick<Handoff, 'list' | 'reply' | 'handBack' | 'takeOver'>;
  /** Mobile money, for the owner's refund and review decisions. */
  readonly payments?: Pick<Payments, 'settleByOwner'>;
  readonly shopName: string;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly scope?: Partial<DashboardScope>;
  /** The guided checkout's purchases, under way and abandoned. */
  readonly checkouts?: DashboardCheckouts;
  /** Called once the owner changed an order's status (to tell the customer); its failure is logged. */
  readonly onOrderStatus?: (orderId: string, status: OrderStatus) => Promise<void>;
}

interface Asset {
  readonly body: string;
  readonly type: string;
  readonly version: string;
}

/** The notices an action redirects to (`?ok=` / `?err=`), so no text travels in the URL. */
const NOTICES: Readonly<Record<string, Notice>> = {
  confirmed: { kind: 'ok', text: 'Commande confirmée.' },
  delivered: { kind: 'ok', text: 'Commande marquée livrée.' },
  cancelled: { kind: 'ok', text: 'Commande annulée : les articles sont remis en stock.' },
  'reply-sent': { kind: 'ok', text: 'Message envoyé au client.' },
  'handed-back': { kind: 'ok', text: 'Le bot répond de nouveau dans cette conversation.' },
  'taken-over': { kind: 'ok', text: 'Vous avez la main : le bot se tait dans cette conversation.' },
  'order-refused': { kind: 'error', text: 'Ce changement de statut n’est pas possible pour cette commande.' },
  'order-failed': { kind: 'error', text: 'La base de données ne répond pas : statut non modifié, réessayez.' },
  'reply-empty': { kind: 'error', text: 'Message vide : rien n’a été envoyé.' },
  'reply-failed': { kind: 'error', text: 'Le message n’a pas pu partir sur ce canal : réessayez dans un instant.' },
  'no-handoff': { kind: 'error', text: 'La prise en main par une personne n’est pas activée.' },
  'bad-origin': { kind: 'error', text: 'Action refusée (elle ne venait pas de cette page).' },
  'action-failed': { kind: 'error', text: 'L’action n’a pas pu partir : vérifiez la connexion, puis réessayez.' },
  'payment-refunded': { kind: 'ok', text: 'Remboursement noté.' },
  'payment-accepted': { kind: 'ok', text: 'Paiement validé : le client est prévenu.' },
  'payment-refused': { kind: 'error', text: 'Ce changement n’est pas possible pour ce paiement.' },
  'payment-failed': { kind: 'error', text: 'La base de données ne répond pas : paiement non modifié, réessayez.' },
};

/**
 * Adds the owner's dashboard: `GET /admin` (the page), `GET /admin/api/stats` and
 * `/admin/api/handoffs` (JSON), the static files under `/admin/assets/`, and the actions
 * (`POST /admin/orders/:id/status` `{ status }`, `POST /admin/conversations/:channel/:chat/{reply,hand-back,take-over}`
 * `{ text }`). Everything is behind `ADMIN_TOKEN`; actions take JSON from the page itself (same
 * origin) and answer `{ location }`, the dashboard URL with the notice to show.
 *
 * @example
 * addDashboard(app.http, { auth: owner, store, handoff, shopName: shop.name, logger });
 */
export function addDashboard(app: Hono, options: DashboardOptions): void {
  const { guard, action } = options.auth;
  const now = options.now ?? Date.now;
  const scope: DashboardScope = { ...DEFAULT_SCOPE, ...options.scope };
  const assets = loadAssets();
  const versions: AssetVersions = {
    css: assets.get('dashboard.css')!.version,
    js: assets.get('dashboard.js')!.version,
    chartCss: assets.get('uplot.min.css')!.version,
    chartJs: assets.get('uplot.min.js')!.version,
  };
  const handoffs = () => options.handoff?.list() ?? [];

  app.get('/admin', guard, async (c) => {
    c.header('cache-control', 'no-store');
    const at = now();
    const [view, checkouts] = await Promise.all([
      loadView({
        store: options.store,
        handoffs,
        shopName: options.shopName,
        now: at,
        scope,
        logger: options.logger,
        withPayments: options.payments !== undefined,
      }),
      readCheckouts(at),
    ]);
    const code = c.req.query('ok') ?? c.req.query('err');
    return c.html(dashboardPage({ ...view, ...(checkouts !== undefined && { checkouts }) }, versions, code ? NOTICES[code] : undefined));
  });

  /** The checkouts for the page: `undefined` without a checkout, `null` when unreadable. */
  async function readCheckouts(at: number): Promise<CheckoutsView | null | undefined> {
    if (!options.checkouts) return undefined;
    return loadCheckouts(options.checkouts, at).catch((error: unknown) => {
      options.logger?.warn({ err: error }, 'dashboard: checkouts could not be read');
      return null;
    });
  }

  app.get('/admin/api/checkouts', guard, async (c) => {
    c.header('cache-control', 'no-store');
    const checkouts = await readCheckouts(now());
    if (checkouts === undefined) return c.notFound();
    return checkouts === null ? c.json({ error: 'unavailable' }, 503) : c.json(checkouts);
  });

  app.get('/admin/api/stats', guard, async (c) => {
    c.header('cache-control', 'no-store');
    try {
      return c.json(await loadStats(options.store, now(), scope));
    } catch (error) {
      options.logger?.warn({ err: error }, 'dashboard: figures unavailable');
      return c.json({ error: 'store_unavailable' }, 503);
    }
  });

  app.get('/admin/api/handoffs', guard, (c) => {
    c.header('cache-control', 'no-store');
    return c.json({ handoffs: handoffs() });
  });

  app.get('/admin/assets/:name', guard, (c) => {
    const asset = assets.get(c.req.param('name'));
    if (!asset) return c.notFound();
    c.header('content-type', asset.type);
    c.header('cache-control', 'private, max-age=86400');
    return c.body(asset.body);
  });

  app.post('/admin/orders/:id/status', action, async (c) => {
    const status = String((await actionBody(c))?.['status'] ?? '');
    if (!ORDER_STATUSES.includes(status as OrderStatus)) return back(c, 'err', 'order-refused', 'commandes');
    try {
      await options.store.setOrderStatus(c.req.param('id'), status as OrderStatus);
      // The customer hears of it on their channel (durably); the owner's page does not wait for that.
      void options.onOrderStatus?.(c.req.param('id'), status as OrderStatus).catch((error: unknown) => {
        options.logger?.warn({ err: error }, 'dashboard: customer not told of the status');
      });
      return back(c, 'ok', status, 'commandes');
    } catch (error) {
      if (error instanceof OrderRejectedError) return back(c, 'err', 'order-refused', 'commandes');
      options.logger?.warn({ err: error }, 'dashboard: order status not changed');
      return back(c, 'err', 'order-failed', 'commandes');
    }
  });

  app.post('/admin/payments/:id', action, async (c) => {
    const decision = String((await actionBody(c))?.['action'] ?? '');
    if (!options.payments || (decision !== 'paid' && decision !== 'refunded')) return back(c, 'err', 'payment-refused', 'commandes');
    try {
      await options.payments.settleByOwner(c.req.param('id'), decision);
      return back(c, 'ok', decision === 'paid' ? 'payment-accepted' : 'payment-refunded', 'commandes');
    } catch (error) {
      if (error instanceof OrderRejectedError) return back(c, 'err', 'payment-refused', 'commandes');
      options.logger?.warn({ err: error }, 'dashboard: payment not changed');
      return back(c, 'err', 'payment-failed', 'commandes');
    }
  });

  app.post('/admin/conversations/:channel/:chat/:action', action, async (c) => {
    const handoff = options.handoff;
    if (!handoff) return back(c, 'err', 'no-handoff', 'conversations');
    const channel = c.req.param('channel');
    const chatId = c.req.param('chat');
    const step = c.req.param('action');
    try {
      if (step === 'reply') {
        const text = (await actionBody(c))?.['text'];
        await handoff.reply(channel, chatId, typeof text === 'string' ? text : '');
        return back(c, 'ok', 'reply-sent', 'personnes');
      }
      if (step === 'hand-back') {
        await handoff.handBack(channel, chatId);
        return back(c, 'ok', 'handed-back', 'conversations');
      }
      if (step === 'take-over') {
        await handoff.takeOver(channel, chatId);
        return back(c, 'ok', 'taken-over', 'personnes');
      }
      return c.notFound();
    } catch (error) {
      if (error instanceof HandoffError && error.code === 'empty_reply') return back(c, 'err', 'reply-empty', 'personnes');
      options.logger?.warn({ err: error }, 'dashboard: reply not sent');
      return back(c, 'err', 'reply-failed', 'personnes');
    }
  });
}

/** Where the page goes after an action: the dashboard with its notice, at the right section. */
function back(c: Context, kind: 'ok' | 'err', code: string, anchor: string): Response {
  const location = `/admin?${kind}=${encodeURIComponent(code)}#${anchor}`;
  const unavailable = code === 'order-failed' || code === 'reply-failed' || code === 'payment-failed';
  return c.json({ location }, kind === 'ok' ? 200 : unavailable ? 503 : 409);
}

const TYPES: Readonly<Record<string, string>> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8' };

/** The page's style and script (from `src/admin/assets/`) and uPlot's, read once at start-up. */
function loadAssets(): Map<string, Asset> {
  const dir = join(packageRoot(), 'src', 'admin', 'assets');
  const uplot = createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js');
  const files: [string, string][] = [
    ['dashboard.css', join(dir, 'dashboard.css')],
    ['dashboard.js', join(dir, 'dashboard.js')],
    ['uplot.min.js', uplot],
    ['uplot.min.css', uplot.replace(/uPlot\.iife\.min\.js$/, 'uPlot.min.css')],
  ];
  return new Map(
    files.map(([name, path]) => {
      const body = readFileSync(path, 'utf8');
      const type = TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'text/plain; charset=utf-8';
      return [name, { body, type, version: createHash('sha256').update(body).digest('hex').slice(0, 10) }];
    }),
  );
}
