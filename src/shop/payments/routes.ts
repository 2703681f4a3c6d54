/**
 * The providers' way in, on the bot's HTTP app: `POST /payments/wave/webhook` and
 * `POST /payments/cinetpay/notify`, and the page customers land on after paying,
 * `/payments/done`. A notification is verified (signature, freshness), acknowledged with a
 * 2xx, and only then acted on — and acting on it means asking the provider, never believing it.
 */
import type { Hono } from 'hono';
import type { Logger } from '../../infra/logger.js';
import type { Payments } from './payments.js';
import { NotificationError, type PaymentProvider } from './types.js';

/** Where each provider sends its notifications. */
export const NOTIFICATION_PATHS: Readonly<Record<PaymentProvider['name'], string>> = {
  wave: '/payments/wave/webhook',
  cinetpay: '/payments/cinetpay/notify',
};

/** Options of {@link addPaymentRoutes}. */
export interface PaymentRoutesOptions {
  readonly payments: Pick<Payments, 'providers' | 'notified'>;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Larger bodies are refused (413). Default 64 KiB: a notification is a few hundred bytes. */
  readonly maxBodyBytes?: number;
}

const DONE_PAGE = `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>Paiement</title>
<style>body{font:17px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f6f1e9;color:#1f1b17}
main{max-width:26rem;padding:2rem;text-align:center}</style></head>
<body><main><h1>Merci 🙏</h1><p>Vous pouvez revenir dans la conversation avec la boutique : vous y recevrez la confirmation dès que le paiement est reçu.</p></main></body></html>`;

/**
 * Adds the notification routes of every configured provider, and the landing page.
 *
 * @example
 * addPaymentRoutes(app.http, { payments, logger });
 */
export function addPaymentRoutes(app: Hono, options: PaymentRoutesOptions): void {
  const { payments, logger } = options;
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;

  for (const provider of payments.providers) {
    const path = NOTIFICATION_PATHS[provider.name];
    app.post(path, async (c) => {
      if (Number(c.req.header('content-length') ?? 0) > maxBodyBytes) return c.json({ error: 'too_large' }, 413);
      const body = new Uint8Array(await c.req.arrayBuffer());
      if (body.byteLength > maxBodyBytes) return c.json({ error: 'too_large' }, 413);
      let notification;
      try {
        notification = provider.verifyNotification({ headers: c.req.raw.headers, body }, now());
      } catch (error) {
        const refused = error instanceof NotificationError ? error : new NotificationError('malformed', 'unreadable', { cause: error });
        // Neither the body nor the headers are logged: they hold the payer's number and signatures.
        logger.warn({ provider: provider.name, reason: refused.code }, `payment notification refused: ${refused.message}`);
        return c.json({ error: refused.code }, refused.httpStatus);
      }
      // The answer first (Wave retries what is not acknowledged fast), the check after it.
      setImmediate(() => void payments.notified(provider.name, notification));
      return c.json({ received: true }, 200);
    });
  }
  // CinetPay checks that its notification address answers before it posts to it.
  app.get(NOTIFICATION_PATHS.cinetpay, (c) => c.text('OK'));
  app.on(['GET', 'POST'], '/payments/done', (c) => {
    c.header('cache-control', 'no-store');
    return c.html(DONE_PAGE);
  });
}
