import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpApp } from '../../src/infra/http.js';
import { createMetrics } from '../../src/infra/metrics.js';
import { createOpenAIResponder } from '../../src/model/openai.js';
import { withCircuitBreaker, type GuardedResponder } from '../../src/model/breaker.js';
import { limitConcurrency } from '../../src/model/limit.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { createRecordingChannel, createTestEngine, customerMessage, FALLBACK, metricValue } from '../support/engine-harness.js';

/**
 * The breaker over real HTTP: the real OpenAI SDK (with the bot's own retries) against a fake
 * OpenAI that fails, wired as app.ts wires it, and `/metrics` and `/healthz` read through the
 * real HTTP app.
 */
describe('a failing provider over HTTP', () => {
  let openai: FakeOpenAI | undefined;
  let guarded: GuardedResponder | undefined;
  afterEach(async () => {
    guarded?.dispose();
    await openai?.close();
    openai = undefined;
  });

  async function setup(options: { cooldownMs: number }) {
    openai = await startFakeOpenAI();
    const metrics = createMetrics({ defaults: false });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${openai.url}/v1`, maxRetries: 0 });
    const model = createOpenAIResponder({ client, model: 'gpt-4o-mini', systemPrompt: 'Tu es la boutique.' });
    guarded = withCircuitBreaker(limitConcurrency(model, { concurrency: 8, registry: metrics.registry }), {
      failureThreshold: 3,
      cooldownMs: options.cooldownMs,
      registry: metrics.registry,
    });
    const { engine } = createTestEngine(guarded, { replyDeadlineMs: 3000, lateAnswerMs: 3000, metrics });
    const breaker = guarded;
    const http = createHttpApp({
      metrics,
      health: () => ({ serving: true, channels: {}, model: breaker.status(), store: { state: 'ready' } }),
    });
    const metric = async (name: string) => {
      const text = await (await http.request('/metrics')).text();
      return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    };
    return { openai, guarded, engine, http, metric, metrics, channel: createRecordingChannel() };
  }

  it('5xx in a row: the circuit opens, the provider is left alone, customers are answered at once; then it recovers', async () => {
    const { openai, guarded, engine, http, metric, channel } = await setup({ cooldownMs: 600 });
    openai.setDefault({ status: 503 });
    engine.receive(customerMessage('1', 'Bonjour'), channel);
    // Three failed attempts (retried by the bot) open the circuit, and the turn stops retrying.
    await vi.waitFor(() => expect(guarded.breaker.state).toBe('open'), { timeout: 4000 });
    await vi.waitFor(() => expect(channel.texts('1')).toHaveLength(2));
    expect(channel.texts('1')[0]).toBe(FALLBACK);
    expect(openai.requests).toHaveLength(3);
    expect(await metric('akwaba_model_circuit_state')).toBe(2);
    const health = (await (await http.request('/healthz')).json()) as { model: { state: string; detail: string } };
    expect(health.model).toMatchObject({ state: 'degraded', detail: expect.stringContaining('paused') });

    const asked = Date.now();
    engine.receive(customerMessage('2', 'Bonjour'), channel);
    await vi.waitFor(() => expect(channel.texts('2')[0]).toBe(FALLBACK));
    expect(Date.now() - asked).toBeLessThan(1000); // at once, not at the 3 s deadline
    expect(openai.requests).toHaveLength(3);
    expect(await metric('akwaba_model_circuit_rejections_total')).toBe(1);

    openai.setDefault(undefined);
    await vi.waitFor(() => expect(guarded.breaker.state).toBe('half_open'), { timeout: 2000 });
    expect(await metric('akwaba_model_circuit_state')).toBe(1);
    engine.receive(customerMessage('3', 'Bonjour'), channel);
    await vi.waitFor(() => expect(channel.texts('3')).toEqual(['Réponse à: Bonjour']));
    expect(await metric('akwaba_model_circuit_state')).toBe(0);
    expect(await (await http.request('/healthz')).json()).toMatchObject({ model: { state: 'ready' } });
    await engine.drain();
  });

  it('429s whose retry-after is past the window: the circuit opens and the next customer gets a rate_limit fallback at once', async () => {
    const { openai, guarded, engine, metrics, channel } = await setup({ cooldownMs: 60_000 });
    openai.setDefault({ status: 429, retryAfter: 120 });
    for (const chatId of ['1', '2', '3']) {
      engine.receive(customerMessage(chatId, 'Bonjour'), channel);
      await vi.waitFor(() => expect(channel.texts(chatId)).toHaveLength(2));
    }
    expect(guarded.breaker.state).toBe('open');
    expect(openai.requests).toHaveLength(3);
    engine.receive(customerMessage('4', 'Bonjour'), channel);
    await vi.waitFor(() => expect(channel.texts('4')[0]).toBe(FALLBACK));
    expect(openai.requests).toHaveLength(3);
    expect(await metricValue(metrics, 'akwaba_fallbacks_total', { reason: 'rate_limit' })).toBe(4);
    await engine.drain();
  });
});
