import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../../src/infra/metrics.js';
import { ResponderError } from '../../src/core/responder.js';
import { withCircuitBreaker } from '../../src/model/breaker.js';
import { limitConcurrency } from '../../src/model/limit.js';
import { DeadlineError } from '../../src/core/timing.js';
import { metricValue } from '../support/engine-harness.js';
import { manualResponder, replyRequest } from './support.js';

const providerDown = () => new ResponderError('the model provider answered 503', 'provider_error');

describe('withCircuitBreaker', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(threshold = 3) {
    const model = manualResponder();
    const metrics = createMetrics({ defaults: false });
    const guarded = withCircuitBreaker(model, { failureThreshold: threshold, cooldownMs: 10_000, registry: metrics.registry });
    return { model, metrics, guarded };
  }

  async function failOnce(guarded: ReturnType<typeof setup>['guarded'], model: ReturnType<typeof setup>['model'], error: unknown) {
    const reply = guarded.reply(replyRequest());
    model.calls.at(-1)!.fail(error);
    await reply.catch(() => undefined);
  }

  it('after repeated provider failures answers at once without calling the model, and says so on /metrics and /healthz', async () => {
    const { model, metrics, guarded } = setup();
    expect(guarded.status()).toEqual({ state: 'ready', detail: 'manual model' });
    for (let i = 0; i < 3; i++) await failOnce(guarded, model, providerDown());
    expect(guarded.breaker.state).toBe('open');

    const refused = guarded.reply(replyRequest());
    await expect(refused).rejects.toBeInstanceOf(ResponderError);
    await expect(refused).rejects.toMatchObject({ code: 'provider_error' });
    expect(model.calls).toHaveLength(3);
    expect(await metricValue(metrics, 'akwaba_model_circuit_state')).toBe(2);
    expect(await metricValue(metrics, 'akwaba_model_circuit_rejections_total', { state: 'open' })).toBe(1);
    expect(guarded.status()).toMatchObject({ state: 'degraded', detail: expect.stringContaining('next try in 10 s') });
  });

  it('refuses with rate_limit when the provider was rate-limiting', async () => {
    const { model, guarded } = setup(2);
    for (let i = 0; i < 2; i++) await failOnce(guarded, model, new ResponderError('429', 'rate_limit'));
    await expect(guarded.reply(replyRequest())).rejects.toMatchObject({ code: 'rate_limit' });
  });

  it('probes after the cool-down (half-open) with one turn; its answer closes the circuit', async () => {
    const { model, metrics, guarded } = setup(1);
    await failOnce(guarded, model, providerDown());
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await metricValue(metrics, 'akwaba_model_circuit_state')).toBe(1);
    expect(guarded.status().state).toBe('degraded');
    const probe = guarded.reply(replyRequest());
    await expect(guarded.reply(replyRequest())).rejects.toMatchObject({ code: 'provider_error' }); // only one probe
    model.calls.at(-1)!.answer('De retour !');
    expect(await probe).toEqual({ text: 'De retour !' });
    expect(guarded.breaker.state).toBe('closed');
    expect(await metricValue(metrics, 'akwaba_model_circuit_state')).toBe(0);
    expect(await metricValue(metrics, 'akwaba_model_circuit_rejections_total', { state: 'half_open' })).toBe(1);
  });

  it('counts every failed attempt the responder reports, and aborts the calls in flight when it opens', async () => {
    const { model, guarded } = setup(3);
    const first = replyRequest();
    const second = replyRequest({ conversationKey: 'test:2' });
    const replies = [guarded.reply(first), guarded.reply(second)];
    const [a, b] = model.calls;
    a!.request.reportProblem('rate_limit');
    b!.request.reportProblem('timeout');
    expect(first.problems).toEqual(['rate_limit']); // still told to the core
    expect(guarded.breaker.state).toBe('closed');
    a!.request.reportProblem('rate_limit');
    expect(guarded.breaker.state).toBe('open');
    // Both calls were still retrying: they stop, and the core answers the customers now.
    for (const reply of replies) await expect(reply).rejects.toMatchObject({ name: 'ResponderError', code: 'rate_limit' });
    expect(a!.request.signal.aborted && b!.request.signal.aborted).toBe(true);
  });

  it('a late success is a success: it resets the count', async () => {
    const { model, guarded } = setup(3);
    for (let i = 0; i < 2; i++) await failOnce(guarded, model, providerDown());
    const slow = guarded.reply(replyRequest());
    await vi.advanceTimersByTimeAsync(20_000); // long past replyBy: the customer got the fallback
    model.calls.at(-1)!.answer('Voici !');
    await slow;
    expect(guarded.breaker.failures).toBe(0);
  });

  it("an abort because the customer's turn ended, an internal error or a shutdown counts for nothing", async () => {
    const { model, guarded } = setup(1);
    for (const reason of [new DeadlineError(Date.now()), new DOMException('the turn ended', 'AbortError')]) {
      const request = replyRequest();
      const reply = guarded.reply(request);
      request.controller.abort(reason);
      await expect(reply).rejects.toBe(reason);
    }
    await failOnce(guarded, model, new ResponderError('tool place_order failed', 'internal'));
    await failOnce(guarded, model, new TypeError('a bug'));
    expect(guarded.breaker.state).toBe('closed');
    expect(guarded.breaker.failures).toBe(0);
  });

  it('a half-open probe that is cancelled leaves the circuit half-open for the next turn', async () => {
    const { model, guarded } = setup(1);
    await failOnce(guarded, model, providerDown());
    await vi.advanceTimersByTimeAsync(10_000);
    const request = replyRequest();
    const probe = guarded.reply(request);
    request.controller.abort(new DOMException('the turn ended', 'AbortError'));
    await probe.catch(() => undefined);
    expect(guarded.breaker.state).toBe('half_open');
    const next = guarded.reply(replyRequest());
    model.calls.at(-1)!.answer('ok');
    await next;
    expect(guarded.breaker.state).toBe('closed');
  });

  it("the limiter's own refusals (queue full) are not held against the provider", async () => {
    const model = manualResponder();
    const guarded = withCircuitBreaker(limitConcurrency(model, { concurrency: 1, maxWaiting: 0 }), { failureThreshold: 1 });
    const busy = guarded.reply(replyRequest());
    await expect(guarded.reply(replyRequest({ conversationKey: 'test:2' }))).rejects.toMatchObject({ code: 'rate_limit' });
    expect(guarded.breaker.state).toBe('closed');
    model.calls[0]!.answer('ok');
    await busy;
    guarded.dispose();
  });
});
