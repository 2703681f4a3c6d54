import { sleep } from '../../src/core/timing.js';
import { retryReasonOf, type RetryReason } from './errors.js';

/** How a send is tried again after Meta's limits or a passing fault. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly maxAttempts: number;
  /** First wait after a throughput limit (130429) or a passing fault; doubled on every try. */
  readonly retryDelayMs: number;
  /** First wait after the pair rate limit (131056): Meta allows about one message per 6 s to one customer. */
  readonly pairRetryDelayMs: number;
  /** The longest single wait. */
  readonly maxRetryDelayMs: number;
}

/** Meta's guidance, in numbers: back off exponentially, starting at the pair limit's 6 s for one customer. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  retryDelayMs: 1000,
  pairRetryDelayMs: 6000,
  maxRetryDelayMs: 60_000,
};

/** The wait before try number `retry + 1` (`retry` counts from 1). */
export function retryDelay(reason: RetryReason, retry: number, policy: RetryPolicy): number {
  const first = reason === 'pair_rate' ? policy.pairRetryDelayMs : policy.retryDelayMs;
  return Math.min(policy.maxRetryDelayMs, first * 2 ** (retry - 1));
}

/**
 * Runs `call` until it succeeds, fails for good, runs out of tries, or `signal` aborts
 * (during a wait too: the wait ends at once and the signal's reason is thrown). The caller
 * awaits it, so a chat's next message never overtakes one being retried.
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  options: { signal?: AbortSignal; onRetry?: (error: unknown, reason: RetryReason, delayMs: number) => void } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const reason = retryReasonOf(error);
      if (reason === undefined || attempt >= policy.maxAttempts || options.signal?.aborted) throw error;
      const delayMs = retryDelay(reason, attempt, policy);
      options.onRetry?.(error, reason, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
