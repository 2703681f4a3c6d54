import { describe, expect, it } from 'vitest';
import { createKeyLimiter } from '../../src/infra/key-limiter.js';

describe('key limiter', () => {
  it('allows `limit` per window to each key, then says how long to wait', () => {
    let at = 0;
    const limiter = createKeyLimiter({ limit: 2, windowMs: 60_000, now: () => at });
    expect([limiter.take('a'), limiter.take('a')]).toEqual([0, 0]);
    expect(limiter.take('a')).toBe(30_000);
    expect(limiter.take('b')).toBe(0);
    at = 30_000;
    expect(limiter.take('a')).toBe(0);
  });

  it('remembers at most maxKeys keys whatever the number of keys, forgetting the least recently used', () => {
    let at = 0;
    const limiter = createKeyLimiter({ limit: 1, windowMs: 3_600_000, maxKeys: 100, now: () => at });
    limiter.take('busy');
    for (let i = 0; i < 10_000; i += 1) {
      at += 1;
      limiter.take(`address-${i}`);
      if (i % 50 === 0) expect(limiter.take('busy')).toBeGreaterThan(0); // used often: still limited
      expect(limiter.size).toBeLessThanOrEqual(100);
    }
    expect(limiter.size).toBe(100);
    expect(limiter.peek('address-0')).toBe(0); // forgotten: a full allowance again
    expect(limiter.peek('address-9999')).toBeGreaterThan(0);
  });
});
