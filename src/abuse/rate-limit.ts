/** What to do with a customer's message, frequency-wise. */
export type RateVerdict =
  /** Within the limit: handle it. */
  | 'ok'
  /** The first message over the limit: tell the customer once, then stay silent. */
  | 'limited'
  /** Still within the quiet period that follows: drop it silently. */
  | 'muted';

/** Options of {@link createRateLimit}. */
export interface RateLimitOptions {
  /** Messages allowed in any `windowMs`. */
  readonly maxMessages: number;
  readonly windowMs: number;
  readonly now?: () => number;
}

/** Counts messages per key (a chat) over a sliding window. */
export interface RateLimit {
  /** Counts a message of `key` and says what to do with it. */
  check(key: string): RateVerdict;
  /** Keys currently remembered (for tests and memory checks). */
  readonly size: number;
}

interface Entry {
  /** Times of the accepted messages within the window, oldest first. */
  times: number[];
  /** Set once over the limit: messages are dropped until then. */
  mutedUntil?: number;
}

/**
 * A sliding-window limit per key: at most `maxMessages` in any `windowMs`. The message that
 * goes over starts a quiet period of `windowMs` (reported once as `limited`, then `muted`),
 * after which the count starts afresh. Idle keys are forgotten once a window has passed, so
 * memory follows the chats active in the last minute, not every chat ever seen.
 */
export function createRateLimit(options: RateLimitOptions): RateLimit {
  const { maxMessages, windowMs } = options;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let nextSweep = now() + windowMs;

  function sweep(at: number): void {
    if (at < nextSweep) return;
    nextSweep = at + windowMs;
    for (const [key, entry] of entries) {
      const last = entry.times.at(-1) ?? 0;
      if ((entry.mutedUntil ?? 0) <= at && last <= at - windowMs) entries.delete(key);
    }
  }

  return {
    get size() {
      return entries.size;
    },
    check(key) {
      const at = now();
      sweep(at);
      let entry = entries.get(key);
      if (entry?.mutedUntil !== undefined) {
        if (at < entry.mutedUntil) return 'muted';
        entry = undefined;
      }
      entry ??= { times: [] };
      entries.set(key, entry);
      while (entry.times.length > 0 && entry.times[0]! <= at - windowMs) entry.times.shift();
      if (entry.times.length >= maxMessages) {
        entry.times = [];
        entry.mutedUntil = at + windowMs;
        return 'limited';
      }
      entry.times.push(at);
      return 'ok';
    },
  };
}
