import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Health } from '../core/channel.js';
import { isLocalRequest, type TrustedProxies } from './client-address.js';
import type { Metrics } from './metrics.js';
import { mapStrings, scrubSecrets } from './redact.js';

/** What `/healthz` reports: serving means at least one channel can take customers' messages. */
export interface HealthReport {
  readonly serving: boolean;
  readonly channels: Record<string, Health>;
  readonly model: Health;
  readonly store: Health;
  /** `single` (files in DATA_DIR) or `shared` with this instance's name and id (`DATABASE_URL`). */
  readonly instance?: { readonly mode: 'single' } | { readonly mode: 'shared'; readonly instance: string; readonly id: number };
}

/** Who may read `/metrics`. */
export interface MetricsAccess {
  /** `METRICS_TOKEN`: with it, `Authorization: Bearer <token>` opens `/metrics` from anywhere. */
  readonly token: string | null;
  /** `TRUST_PROXY`, to tell a request from this machine from one a local reverse proxy forwards. */
  readonly trustProxy: TrustedProxies;
}

/**
 * The bot's own HTTP endpoints: `GET /healthz` (200 when serving, 503 otherwise, with what
 * is up; public, so every string in it is scrubbed of credentials) and `GET /metrics` in
 * Prometheus text, open to this machine only, or to a scraper that sends `METRICS_TOKEN` as
 * a bearer token. Returns the Hono app, so channels and pages can add their routes.
 */
export function createHttpApp(options: { metrics: Metrics; health: () => HealthReport; metricsAccess?: MetricsAccess }): Hono {
  const app = new Hono();
  const access = options.metricsAccess ?? { token: null, trustProxy: 0 };
  const expected = access.token ? digest(access.token) : undefined;
  app.get('/healthz', (c) => {
    const report = mapStrings(options.health(), scrubSecrets, 6) as HealthReport;
    return c.json({ status: report.serving ? 'ok' : 'unavailable', ...report }, report.serving ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (bearer !== undefined) {
      if (!expected || !timingSafeEqual(digest(bearer), expected)) {
        return c.text('metrics: wrong token\n', 401, { 'www-authenticate': 'Bearer realm="metrics"' });
      }
    } else if (!isLocalRequest(c, access.trustProxy)) {
      const hint = expected ? 'send METRICS_TOKEN as a bearer token' : 'set METRICS_TOKEN to scrape from another machine';
      return c.text(`metrics: open to this machine only; ${hint}\n`, 403);
    }
    const body = await options.metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': options.metrics.registry.contentType, 'cache-control': 'no-store' });
  });
  return app;
}

// Equal-length digests: the comparison says nothing about the token's length.
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
