import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFairLimiter, QueueFullError, SlotTimeoutError, type Release } from '../../src/model/fair-limiter.js';

describe('createFairLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never runs more than `concurrency` jobs, and hands freed slots to the next waiting key', async () => {
    const limiter = createFairLimiter({ concurrency: 2 });
    const granted: string[] = [];
    const releases = new Map<string, Release>();
    for (const key of ['a', 'b', 'c', 'd']) {
      void limiter.acquire(key).then((release) => {
        granted.push(key);
        releases.set(key, release);
      });
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toEqual(['a', 'b']);
    expect([limiter.running, limiter.waiting]).toEqual([2, 2]);
    releases.get('a')!();
    releases.get('a')!(); // twice is harmless
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toEqual(['a', 'b', 'c']);
    expect([limiter.running, limiter.waiting]).toEqual([2, 1]);
  });

  it('is round-robin by key: a chat with ten requests gets one slot per round, not all of them', async () => {
    const limiter = createFairLimiter({ concurrency: 1, perKey: 1 });
    const order: string[] = [];
    const first = await limiter.acquire('busy');
    const jobs = [
      ...Array.from({ length: 5 }, () => 'busy'),
      'x',
      'y',
      'z',
    ].map((key) =>
      limiter.acquire(key).then((release) => {
        order.push(key);
        release();
      }),
    );
    first();
    await Promise.all(jobs);
    expect(order).toEqual(['busy', 'x', 'y', 'z', 'busy', 'busy', 'busy', 'busy']);
  });

  it('perKey caps one chat even when slots are free', async () => {
    const limiter = createFairLimiter({ concurrency: 4, perKey: 1 });
    await limiter.acquire('a');
    let second = false;
    void limiter.acquire('a').then(() => (second = true));
    const other = await limiter.acquire('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(second).toBe(false);
    expect([limiter.running, limiter.waiting]).toEqual([2, 1]);
    other();
  });

  it('a waiter whose signal aborts leaves the queue with the reason, and takes no slot', async () => {
    const limiter = createFairLimiter({ concurrency: 1 });
    const release = await limiter.acquire('a');
    const controller = new AbortController();
    const waiting = limiter.acquire('b', { signal: controller.signal });
    const later = limiter.acquire('c');
    controller.abort(new Error('turn over'));
    await expect(waiting).rejects.toThrow('turn over');
    expect(limiter.waiting).toBe(1);
    release();
    const third = await later;
    expect(limiter.running).toBe(1);
    third();
    await expect(limiter.acquire('d', { signal: controller.signal })).rejects.toThrow('turn over');
  });

  it('a waiter still queued at its deadline leaves with SlotTimeoutError', async () => {
    const limiter = createFairLimiter({ concurrency: 1 });
    await limiter.acquire('a');
    const waiting = limiter.acquire('b', { deadline: Date.now() + 1000 });
    const settled = vi.fn();
    waiting.catch(settled);
    await vi.advanceTimersByTimeAsync(999);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(waiting).rejects.toBeInstanceOf(SlotTimeoutError);
    expect(limiter.waiting).toBe(0);
    await expect(limiter.acquire('c', { deadline: Date.now() })).rejects.toBeInstanceOf(SlotTimeoutError);
  });

  it('refuses at once past maxWaiting, and clears every timer it set', async () => {
    const onChange = vi.fn();
    const limiter = createFairLimiter({ concurrency: 1, maxWaiting: 2, onChange });
    const release = await limiter.acquire('a');
    const queued = [limiter.acquire('b', { deadline: Date.now() + 5000 }), limiter.acquire('c', { deadline: Date.now() + 5000 })];
    await expect(limiter.acquire('d')).rejects.toBeInstanceOf(QueueFullError);
    release();
    (await queued[0]!)();
    (await queued[1]!)();
    expect(vi.getTimerCount()).toBe(0);
    expect([limiter.running, limiter.waiting]).toEqual([0, 0]);
    expect(onChange).toHaveBeenCalled();
  });

  it('rejects a nonsensical concurrency', () => {
    expect(() => createFairLimiter({ concurrency: 0 })).toThrow(RangeError);
  });
});
