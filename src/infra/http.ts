import { Hono } from 'hono';
import type { Health } from '../core/channel.js';
import type { Metrics } from './metrics.js';


/** What `/healthz` reports: serving means at least one channel can take customers' messages. */
export interface HealthReport {
  readonly serving: boolean;
  readonly channels: Record<string, Health>;
  readonly model: Health;
  readonly store: Health;
}

/**
 * The bot's own HTTP endpoints: `GET /healthz` (200 when serving, 503 otherwise, with what
 * is up) and `GET /metrics` in Prometheus text. Returns the Hono app, so channels and pages
 * can add their routes.
 */
export function createHttpApp(options: { metrics: Metrics; health: () => HealthReport }): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => {
    const report = options.health();
    return c.json({ status: report.serving ? 'ok' : 'unavailable', ...report }, report.serving ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    const body = await options.metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': options.metrics.registry.contentType });
  });
  return app;
}
