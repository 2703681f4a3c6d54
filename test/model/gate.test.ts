import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Setback } from '../../src/core/responder.js';
import { ResponderError } from '../../src/core/responder.js';
import { createMetrics } from '../../src/infra/metrics.js';
import { createModelGate, type GatePermit, type ModelGate } from '../../src/model/gate.js';

describe('createModelGate', () => {
  let gate: ModelGate | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    gate?.dispose();
    gate = undefined;
    vi.useRealTimers();
  });

  const request = (overrides: { giveUpAt?: number; since?: number; signal?: AbortSignal } = {}) => {
    const setbacks: Setback[] = [];
    return {
      setbacks,
      signal: overrides.signal ?? new AbortController().signal,
      giveUpAt: overrides.giveUpAt ?? Date.now() + 60_000,
      report: (setback: Setback) => void setbacks.push(setback),
      ...(overrides.since !== undefined && { since: overrides.since }),
    };
  };

  /** Acquires for each key in turn; resolves with the permits granted so far (the rest still wait). */
  function acquireAll(target: ModelGate, keys: string[]) {
    const granted: { key: string; permit: GatePermit }[] = [];
    for (const key of keys) void target.acquire(key, request()).then((permit) => granted.push({ key, permit }));
    return granted;
  }

  it('halves the limit on a 429 once per round, then raises it by one after as many successes', async () => {
    gate = createModelGate({ maxConcurrency: 8 });
    const granted = acquireAll(gate, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toHaveLength(8);
    // Three calls sent under the old limit come back 429: the limit is halved once, not three times.
    for (const { permit } of granted.splice(0, 3)) permit.rateLimited();
    expect(gate.limit).toBe(4);
    await vi.advanceTimersByTimeAsync(0);
    expect(gate.running).toBe(5);
    expect(gate.waiting).toBe(2);
    // Back under 4 in flight, waiting calls go again; 4 successes raise it to 5.
    for (const { permit } of granted.splice(0, 4)) permit.ok();
    await vi.advanceTimersByTimeAsync(0);
    expect(gate.limit).toBe(5);
    expect(gate.running).toBe(3);
  });

  it('a named wait pauses every call until it is over, and tells the waiting ones when; one probe at a time looks earlier', async () => {
    gate = createModelGate({ maxConcurrency: 1 });
    const first = await gate.acquire('a', request());
    const waiting = request();
    const granted: { key: string; permit: GatePermit }[] = [];
    void gate.acquire('b', waiting).then((permit) => granted.push({ key: 'b', permit }));
    void gate.acquire('c', request()).then((permit) => granted.push({ key: 'c', permit }));
    first.rateLimited(5000);
    expect(gate.pausedUntil).toBe(Date.now() + 5000);
    expect(waiting.setbacks).toEqual([{ reason: 'rate_limit', until: Date.now() + 5000 }]);
    // 250 ms in, one call probes; the provider still refuses it: the others keep waiting.
    await vi.advanceTimersByTimeAsync(249);
    expect(granted).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(granted.map((g) => g.key)).toEqual(['b']);
    granted[0]!.permit.rateLimited(4750);
    void gate.acquire('b', request({ since: 0 })).then((permit) => granted.push({ key: 'b again', permit }));
    // The next probe waits twice as long (500 ms).
    await vi.advanceTimersByTimeAsync(499);
    expect(granted).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(granted.map((g) => g.key)).toEqual(['b', 'b again']);
    granted[1]!.permit.rateLimited(4250);
    await vi.advanceTimersByTimeAsync(4250);
    expect(granted.map((g) => g.key)).toContain('c');
  });

  it('a probe answered during the pause lifts it for everyone: the wait was one call’s, not the whole key’s', async () => {
    gate = createModelGate({ maxConcurrency: 4 });
    (await gate.acquire('a', request())).rateLimited(20_000);
    const granted: string[] = [];
    for (const key of ['b', 'c', 'd']) void gate.acquire(key, request()).then((permit) => (granted.push(key), key === 'b' && permit.ok()));
    await vi.advanceTimersByTimeAsync(250);
    expect(granted).toEqual(['b', 'c', 'd']);
    expect(gate.pausedUntil).toBeUndefined();
    // A 429 naming a long wait is a quota's pause, not pushback on calls at once.
    expect(gate.limit).toBe(4);
  });

  it('refuses at once a call whose last moment comes before the end of the provider’s pause', async () => {
    gate = createModelGate({ maxConcurrency: 2 });
    (await gate.acquire('a', request())).rateLimited(120_000);
    await expect(gate.acquire('b', request({ giveUpAt: Date.now() + 60_000 }))).rejects.toBeInstanceOf(ResponderError);
  });

  it('counts failing conversations, not attempts: one customer’s repeated failures never open the breaker', async () => {
    gate = createModelGate({ maxConcurrency: 8, failureThreshold: 3 });
    for (let i = 0; i < 10; i++) (await gate.acquire('same', request())).failed();
    expect(gate.breaker.state).toBe('closed');
    (await gate.acquire('other', request())).failed();
    (await gate.acquire('third', request())).failed();
    expect(gate.breaker.state).toBe('open');
  });

  it('a 429 never counts toward the breaker', async () => {
    gate = createModelGate({ maxConcurrency: 8, failureThreshold: 2 });
    for (const key of ['a', 'b', 'c', 'd']) (await gate.acquire(key, request())).rateLimited();
    expect(gate.breaker.state).toBe('closed');
  });

  it('open, it holds new calls without aborting those in flight; after the cool-down one probe, and its success lets all through', async () => {
    const metrics = createMetrics({ defaults: false });
    gate = createModelGate({ maxConcurrency: 8, failureThreshold: 2, cooldownMs: 10_000, registry: metrics.registry });
    const inFlight = await gate.acquire('busy', request());
    (await gate.acquire('a', request())).failed();
    (await gate.acquire('b', request())).failed();
    expect(gate.breaker.state).toBe('open');
    expect(gate.status()).toMatchObject({ state: 'degraded' });
    const waiting = request();
    const granted: string[] = [];
    void gate.acquire('c', waiting).then((permit) => (granted.push('c'), permit.ok()));
    void gate.acquire('d', request()).then((permit) => (granted.push('d'), permit.ok()));
    expect(waiting.setbacks[0]).toMatchObject({ reason: 'provider_error', until: Date.now() + 10_000 });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(granted).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    // One probe; its success closes the circuit and the other waiting call goes.
    expect(granted).toEqual(['c', 'd']);
    expect(gate.breaker.state).toBe('closed');
    // The call in flight when it opened was never touched, and ends normally.
    inFlight.ok();
    expect(gate.running).toBe(0);
  });

  it('serves the oldest first: a call retried after a 429 keeps its place before later customers', async () => {
    gate = createModelGate({ maxConcurrency: 1 });
    const first = await gate.acquire('early', request());
    const order: string[] = [];
    void gate.acquire('late', request()).then((permit) => (order.push('late'), permit.ok()));
    first.rateLimited(1000);
    void gate.acquire('early', request({ since: Date.now() - 1000 })).then((permit) => (order.push('early'), permit.ok()));
    await vi.advanceTimersByTimeAsync(1000);
    expect(order).toEqual(['early', 'late']);
  });

  it('a waiting call whose signal aborts leaves the queue with the reason, and takes no slot', async () => {
    gate = createModelGate({ maxConcurrency: 1 });
    await gate.acquire('a', request());
    const controller = new AbortController();
    const waiting = gate.acquire('b', request({ signal: controller.signal }));
    controller.abort(new Error('turn over'));
    await expect(waiting).rejects.toThrow('turn over');
    expect(gate.waiting).toBe(0);
  });

  it('rejects a nonsensical maximum', () => {
    expect(() => createModelGate({ maxConcurrency: 0 })).toThrow(RangeError);
  });
});
