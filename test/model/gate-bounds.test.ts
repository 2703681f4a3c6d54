import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Setback } from '../../src/core/responder.js';
import { ResponderError } from '../../src/core/responder.js';
import { createModelGate, type GatePermit, type ModelGate } from '../../src/model/gate.js';

describe('model gate: the queue stays bounded (fake time)', () => {
  let gate: ModelGate | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    gate?.dispose();
    gate = undefined;
    vi.useRealTimers();
  });

  const request = (signal: AbortSignal) => ({ signal, giveUpAt: Date.now() + 60_000, report: (_: Setback) => undefined });

  it('keeps at most maxWaiting calls waiting however many customers ask, refusing the rest at once', async () => {
    gate = createModelGate({ maxConcurrency: 2, maxWaiting: 10 });
    const granted: GatePermit[] = [];
    const refused: unknown[] = [];
    const controllers = Array.from({ length: 1000 }, () => new AbortController());
    controllers.forEach((controller, i) => {
      gate!.acquire(`chat-${i}`, request(controller.signal)).then((permit) => granted.push(permit), (error: unknown) => refused.push(error));
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(gate.running).toBe(2);
    expect(gate.waiting).toBe(10);
    expect(refused).toHaveLength(988);
    expect(refused.every((error) => error instanceof ResponderError && error.code === 'rate_limit')).toBe(true);

    // Customers who stop waiting leave the queue; the others get their turn as calls finish.
    for (const controller of controllers.slice(2, 7)) controller.abort(new Error('gone'));
    await vi.advanceTimersByTimeAsync(0);
    expect(gate.waiting).toBe(5);
    for (let round = 0; round < 4; round += 1) {
      for (const permit of granted.splice(0)) permit.ok();
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(gate.running).toBe(0);
    expect(gate.waiting).toBe(0);
  });
});
