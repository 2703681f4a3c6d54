import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpApp } from '../../src/infra/http.js';
import { createMetrics } from '../../src/infra/metrics.js';
import { createModelGate, type ModelGate } from '../../src/model/gate.js';
import { createOpenAIResponder } from '../../src/model/openai.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { createRecordingChannel, createTestEngine, customerMessage, FALLBACK, metricValue } from '../support/engine-harness.js';

/** `/metrics` answers a request from no socket (in-process) only with the token. */
const METRICS_TOKEN = 'metrics-token-for-the-outage-test';

const UNAVAILABLE = /je n'arrive pas à vous répondre/;

/**
 * The gate over real HTTP: the real OpenAI SDK (with the bot's own retries) against a fake
 * OpenAI that fails, wired as app.ts wires it, and `/metrics` and `/healthz` read through the
 * real HTTP app.
 */
describe('a failing provider over HTTP', () => {
  let openai: FakeOpenAI | undefined;
  let gate: ModelGate | undefined;
  afterEach(async () => {
    gate?.dispose();
    await openai?.close();
    openai = undefined;
  });

  async function setup(options: { cooldownMs: number; replyDeadlineMs?: number; lateAnswerMs?: number }) {
    openai = await startFakeOpenAI();
    const metrics = createMetrics({ defaults: false });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${openai.url}/v1`, maxRetries: 0 });
    gate = createModelGate({ maxConcurrency: 8, failureThreshold: 3, cooldownMs: options.cooldownMs, registry: metrics.registry });
    const model = createOpenAIResponder({ client, model: 'gpt-4o-mini', systemPrompt: 'Tu es la boutique.', gate });
    const { engine } = createTestEngine(model, {
      replyDeadlineMs: options.replyDeadlineMs ?? 1500,
      lateAnswerMs: options.lateAnswerMs ?? 6000,
      metrics,
    });
    const guard = gate;
    const http = createHttpApp({
      metrics,
      health: () => ({ serving: true, channels: {}, model: guard.status(), store: { state: 'ready' } }),
      metricsAccess: { token: METRICS_TOKEN, trustProxy: 0 },
    });
    const metric = async (name: string) => {
      const text = await (await http.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    };
    return { openai, gate, engine, http, metric, metrics, channel: createRecordingChannel() };
  }

  it('5xx for everyone: the breaker holds the calls, customers hear from us at once, and get the real answer once it is back', async () => {
    const { openai, gate, engine, http, metric, channel } = await setup({ cooldownMs: 3000 });
    openai.setDefault({ status: 503 });
    for (const chatId of ['1', '2', '3']) engine.receive(customerMessage(chatId, 'Bonjour'), channel);
    // Three customers failing in a row open the circuit.
    await vi.waitFor(() => expect(gate.breaker.state).toBe('open'), { timeout: 4000 });
    expect(await metric('akwaba_model_circuit_state')).toBe(2);
    const health = (await (await http.request('/healthz')).json()) as { model: { state: string; detail: string } };
    expect(health.model).toMatchObject({ state: 'degraded', detail: expect.stringContaining('paused') });
    const calls = openai.requests.length;

    const asked = Date.now();
    engine.receive(customerMessage('4', 'Bonjour'), channel);
    await vi.waitFor(() => expect(channel.texts('4')).toEqual([FALLBACK]));
    expect(Date.now() - asked).toBeLessThan(1000); // at once, not at the deadline
    expect(openai.requests.length).toBe(calls); // held, not sent

    openai.setDefault(undefined);
    for (const chatId of ['1', '2', '3', '4']) {
      await vi.waitFor(() => expect(channel.texts(chatId)).toEqual([FALLBACK, 'Réponse à: Bonjour']), { timeout: 5000 });
    }
    expect(gate.breaker.state).toBe('closed');
    expect(await (await http.request('/healthz')).json()).toMatchObject({ model: { state: 'ready' } });
    await engine.drain();
  });

  it('one customer whose calls keep failing does not pause the model for the others', async () => {
    const { openai, gate, engine, channel } = await setup({ cooldownMs: 30_000, replyDeadlineMs: 3000, lateAnswerMs: 1500 });
    openai.setReply((body) => {
      const text = JSON.stringify(body.messages.at(-1)?.content ?? '');
      if (text.includes('cassé')) throw new Error('the provider chokes on this conversation');
      return `Réponse à: ${JSON.parse(text) as string}`;
    });
    engine.receive(customerMessage('bad', 'cassé'), channel);
    await vi.waitFor(() => expect(openai.requests.length).toBeGreaterThanOrEqual(4), { timeout: 5000 });
    expect(gate.breaker.state).toBe('closed');
    engine.receive(customerMessage('good', 'Bonjour'), channel);
    await vi.waitFor(() => expect(channel.texts('good')).toEqual(['Réponse à: Bonjour']));
    await engine.drain();
  });

  it('429s never open the breaker: a short retry-after pauses the calls, then everyone is answered', async () => {
    const { openai, gate, engine, metrics, channel } = await setup({ cooldownMs: 60_000 });
    openai.enqueue({ status: 429, retryAfterMs: 800 }, { status: 429, retryAfterMs: 800 }, { status: 429, retryAfterMs: 800 });
    for (const chatId of ['1', '2', '3', '4']) engine.receive(customerMessage(chatId, 'Bonjour'), channel);
    for (const chatId of ['1', '2', '3', '4']) {
      await vi.waitFor(() => expect(channel.texts(chatId).at(-1)).toBe('Réponse à: Bonjour'), { timeout: 5000 });
    }
    expect(gate.breaker.state).toBe('closed');
    expect(await metricValue(metrics, 'akwaba_model_rate_limited_total')).toBeGreaterThanOrEqual(3);
    // Nobody heard two things that were not the answer.
    for (const chatId of ['1', '2', '3', '4']) expect(channel.texts(chatId).filter((t) => t !== 'Réponse à: Bonjour').length).toBeLessThanOrEqual(1);
    await engine.drain();
  });

  it('a retry-after past the late window: one honest line at once, not the fallback and an apology, and the breaker stays closed', async () => {
    const { openai, gate, engine, channel } = await setup({ cooldownMs: 60_000 });
    openai.setDefault({ status: 429, retryAfter: 120 });
    engine.receive(customerMessage('1', 'Bonjour'), channel);
    await vi.waitFor(() => expect(channel.texts('1')).toHaveLength(1));
    expect(channel.texts('1')[0]).toMatch(UNAVAILABLE);
    // The pause holds: the next customer is told at once, and the provider is not called again.
    engine.receive(customerMessage('2', 'Bonjour'), channel);
    await vi.waitFor(() => expect(channel.texts('2')).toHaveLength(1));
    expect(channel.texts('2')[0]).toMatch(UNAVAILABLE);
    expect(openai.requests).toHaveLength(1);
    expect(gate.breaker.state).toBe('closed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(channel.texts('1')).toHaveLength(1);
    await engine.drain();
  });
});
