import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCircuitBreaker, type CircuitState } from '../../src/model/circuit-breaker.js';

describe('createCircuitBreaker', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function fail(breaker: ReturnType<typeof createCircuitBreaker>, times: number): void {
    for (let i = 0; i < times; i++) {
      const permit = breaker.tryAcquire()!;
      permit.failure();
      permit.release();
    }
  }

  it('opens after `failureThreshold` failures in a row; a success in between resets the count', () => {
    const changes: CircuitState[] = [];
    const breaker = createCircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, onStateChange: (s) => changes.push(s) });
    fail(breaker, 2);
    const ok = breaker.tryAcquire()!;
    ok.success();
    ok.release();
    expect(breaker.failures).toBe(0);
    fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    fail(breaker, 1);
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(changes).toEqual(['open']);
  });

  it('after the cool-down lets exactly one probe through; its success closes the circuit', async () => {
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 1000 });
    fail(breaker, 1);
    await vi.advanceTimersByTimeAsync(999);
    expect(breaker.state).toBe('open');
    await vi.advanceTimersByTimeAsync(1);
    expect(breaker.state).toBe('half_open');
    const probe = breaker.tryAcquire()!;
    expect(probe.probe).toBe(true);
    expect(breaker.tryAcquire()).toBeUndefined(); // one probe at a time
    probe.success();
    probe.release();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()?.probe).toBe(false);
  });

  it('a failed probe opens the circuit for another cool-down', async () => {
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 1000 });
    fail(breaker, 1);
    await vi.advanceTimersByTimeAsync(1000);
    const probe = breaker.tryAcquire()!;
    probe.failure();
    probe.release();
    expect(breaker.state).toBe('open');
    expect(breaker.retryAt).toBe(Date.now() + 1000);
  });

  it('a probe that is only released (cancelled) frees the probe slot without deciding anything', async () => {
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 1000 });
    fail(breaker, 1);
    await vi.advanceTimersByTimeAsync(1000);
    breaker.tryAcquire()!.release();
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryAcquire()?.probe).toBe(true);
  });

  it('ignores the outcome of calls started before the last change of state', async () => {
    const breaker = createCircuitBreaker({ failureThreshold: 2, cooldownMs: 1000 });
    const old = breaker.tryAcquire()!;
    fail(breaker, 2);
    old.failure(); // a late failure does not restart the cool-down
    expect(breaker.retryAt).toBe(Date.now() + 1000);
    await vi.advanceTimersByTimeAsync(1000);
    const probe = breaker.tryAcquire()!;
    probe.success();
    old.failure();
    old.failure(); // nor count against the recovered provider
    expect(breaker.state).toBe('closed');
    expect(breaker.failures).toBe(0);
  });

  it('uses the clock when the cool-down timer lags, and dispose() stops the timer', () => {
    let clock = 0;
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 1000, now: () => clock });
    fail(breaker, 1);
    clock = 1000;
    expect(breaker.tryAcquire()?.probe).toBe(true);
    breaker.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });
});
