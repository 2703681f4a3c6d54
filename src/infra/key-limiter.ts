import { setRecent } from './recent.js';

/** Options of {@link createKeyLimiter}. */
export interface KeyLimiterOptions {
  /** How many a key may take in any `windowMs` (the bucket's size). */
  readonly limit: number;
  readonly windowMs: number;
  /**
   * Most keys remembered; past it the least recently used is forgotten (it starts again with a
   * full allowance), so memory stays bounded whatever the number of keys. Default 50 000.
   */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

/** Per-key allowances (a token bucket per key, refilled evenly over the window). */
export interface KeyLimiter {
  /** Takes one for `key`: 0 when allowed, else how many ms until one is free again. */
  take(key: string): number;
  /** What `take` would say, without taking: 0 when one is left, else the ms until one is. */
  peek(key: string): number;
  /** Keys currently remembered. */
  readonly size: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A per-key rate limit with bounded memory: `limit` per `windowMs` for each key (an address,
 * say), a burst of `limit` at most. A key that has waited a whole window is as good as new
 * and is forgotten first when room is needed.
 *
 * @example
 * const visitorsPerAddress = createKeyLimiter({ limit: 30, windowMs: 3_600_000 });
 * if (visitorsPerAddress.take(address) > 0) return tooMany();
 */
export function createKeyLimiter(options: KeyLimiterOptions): KeyLimiter {
  const { limit, windowMs } = options;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number ≥ 1, got ${limit}`);
  if (!(windowMs > 0)) throw new RangeError(`windowMs must be above 0, got ${windowMs}`);
  const maxKeys = options.maxKeys ?? 50_000;
  const now = options.now ?? Date.now;
  const refillPerMs = limit / windowMs;
  // Map order is recency order: a key touched is deleted and set again.
  const buckets = new Map<string, Bucket>();

  const current = (key: string, at: number): Bucket => {
    const previous = buckets.get(key);
    return previous ? { tokens: Math.min(limit, previous.tokens + (at - previous.at) * refillPerMs), at } : { tokens: limit, at };
  };
  const waitFor = (bucket: Bucket) => (bucket.tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs)));

  return {
    get size() {
      return buckets.size;
    },
    take(key) {
      const bucket = current(key, now());
      setRecent(buckets, key, bucket, maxKeys);
      const wait = waitFor(bucket);
      if (wait === 0) bucket.tokens -= 1;
      return wait;
    },
    peek(key) {
      return buckets.has(key) ? waitFor(current(key, now())) : 0;
    },
  };
}
