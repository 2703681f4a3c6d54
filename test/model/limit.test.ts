import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../../src/infra/metrics.js';
import type { Reply, ReplyRequest, Responder } from '../../src/core/responder.js';
import { limitConcurrency } from '../../src/model/limit.js';
import { metricValue } from '../support/engine-harness.js';
import { manualResponder, replyRequest } from './support.js';

describe('limitConcurrency', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds turns beyond the limit in a queue and shows it on /metrics', async () => {
    const model = manualResponder();
    const metrics = createMetrics({ defaults: false });
    const limited = limitConcurrency(model, { concurrency: 2, registry: metrics.registry });
    const replies = [1, 2, 3].map((n) => limited.reply(replyRequest({ conversationKey: `test:${n}` })));
    await vi.advanceTimersByTimeAsync(0);
    expect(model.calls).toHaveLength(2);
    expect(await metricValue(metrics, 'akwaba_model_calls_in_flight')).toBe(2);
    expect(await metricValue(metrics, 'akwaba_model_calls_waiting')).toBe(1);
    await vi.advanceTimersByTimeAsync(1500);
    model.calls[0]!.answer('un');
    await vi.advanceTimersByTimeAsync(0);
    expect(model.calls).toHaveLength(3);
    model.calls[1]!.answer('deux');
    model.calls[2]!.answer('trois');
    expect(await Promise.all(replies)).toEqual([{ text: 'un' }, { text: 'deux' }, { text: 'trois' }]);
    expect(await metricValue(metrics, 'akwaba_model_calls_in_flight')).toBe(0);
    const text = await metrics.registry.getSingleMetricAsString('akwaba_model_queue_wait_seconds');
    expect(Number(/^akwaba_model_queue_wait_seconds_sum (\S+)$/m.exec(text)?.[1])).toBeCloseTo(1.5);
  });

  it('a queued turn whose signal aborts leaves the queue without calling the model', async () => {
    const model = manualResponder();
    const limited = limitConcurrency(model, { concurrency: 1 });
    const busy = limited.reply(replyRequest());
    const queued = replyRequest({ conversationKey: 'test:2' });
    const waiting = limited.reply(queued);
    queued.controller.abort(new Error('answered from the catalogue'));
    await expect(waiting).rejects.toThrow('answered from the catalogue');
    expect(limited.limiter.waiting).toBe(0);
    model.calls[0]!.answer('ok');
    await busy;
    expect(model.calls).toHaveLength(1);
  });

  it('a queued turn still waiting at giveUpAt gives up with a timeout', async () => {
    const model = manualResponder();
    const limited = limitConcurrency(model, { concurrency: 1 });
    void limited.reply(replyRequest());
    const waiting = limited.reply(replyRequest({ conversationKey: 'test:2', giveUpAt: Date.now() + 3000 }));
    const check = expect(waiting).rejects.toMatchObject({ name: 'ResponderError', code: 'timeout' });
    await vi.advanceTimersByTimeAsync(3000);
    await check;
  });

  it("a responder that ignores its signal frees the turn at once but keeps its slot until it really ends", async () => {
    let finish: (reply: Reply) => void = () => undefined;
    const deaf: Responder = { description: 'deaf', reply: () => new Promise((resolve) => (finish = resolve)) };
    const limited = limitConcurrency(deaf, { concurrency: 1 });
    const request = replyRequest();
    const reply = limited.reply(request);
    await vi.advanceTimersByTimeAsync(0);
    request.controller.abort(new Error('turn over'));
    await expect(reply).rejects.toThrow('turn over');
    expect(limited.limiter.running).toBe(1);
    finish({ text: 'trop tard' });
    await vi.advanceTimersByTimeAsync(0);
    expect(limited.limiter.running).toBe(0);
  });

  it('a responder that throws synchronously gives its slot back', async () => {
    const broken: Responder = {
      description: 'broken',
      reply: (_request: ReplyRequest) => {
        throw new Error('bug');
      },
    };
    const limited = limitConcurrency(broken, { concurrency: 1 });
    await expect(limited.reply(replyRequest())).rejects.toThrow('bug');
    expect(limited.limiter.running).toBe(0);
  });
});
