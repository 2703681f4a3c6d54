import { describe, expect, it } from 'vitest';
import { createHttpApp, type HealthReport } from '../../src/infra/http.js';
import { createMetrics } from '../../src/infra/metrics.js';

const health = (detail: string): HealthReport => ({
  serving: true,
  channels: { web: { state: 'ready', detail: 'chat page at /' } },
  model: { state: 'ready', detail },
  store: { state: 'ready', detail: 'supabase at https://service:s3cret@abcd.supabase.co' },
});

describe('the bot’s own endpoints', () => {
  it('/healthz never shows a URL’s user name and password, whoever wrote the detail', async () => {
    const app = createHttpApp({ metrics: createMetrics({ defaults: false }), health: () => health('openai at http://akwaba:pr0xy-pa55@gateway.example/v1') });
    const body = await (await app.request('/healthz')).text();

    expect(body).toContain('http://gateway.example/v1');
    expect(body).toContain('https://abcd.supabase.co');
    for (const secret of ['pr0xy-pa55', 's3cret', 'akwaba:', 'service:']) expect(body).not.toContain(secret);
  });

  it('/metrics without a socket (not this machine for sure) needs the token', async () => {
    const app = createHttpApp({
      metrics: createMetrics({ defaults: false }),
      health: () => health('x'),
      metricsAccess: { token: 'metrics-token-4b8e1d7a9c2f6e30', trustProxy: 0 },
    });
    expect((await app.request('/metrics')).status).toBe(403);
    expect((await app.request('/metrics', { headers: { authorization: 'Bearer metrics-token-4b8e1d7a9c2f6e30' } })).status).toBe(200);
    expect((await app.request('/metrics', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });
});
