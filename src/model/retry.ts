import OpenAI from 'openai';
import pRetry from 'p-retry';
import { ResponderError, type FallbackReason, type ReplyRequest } from '../core/responder.js';
import { sleep } from '../core/timing.js';

/** A retry decision for one failed attempt. */
interface Verdict {
  readonly retry: boolean;
  readonly reason: FallbackReason;
  /** What the provider asked us to wait before trying again, in ms. */
  readonly waitMs?: number;
}

/**
 * Runs one model call with retries on transient failures only (429 honouring `retry-after`,
 * 5xx, dropped or hung connections), and only while `request.giveUpAt` leaves room. A wait
 * that passes `request.replyBy` is reported at once through `onSetback`.
 */
export function withRetries<T>(
  request: ReplyRequest,
  call: () => Promise<T>,
  options: { maxRetries: number; now: () => number },
): Promise<T> {
  const { now } = options;
  return pRetry(call, {
    retries: options.maxRetries,
    minTimeout: 200,
    maxTimeout: 3000,
    factor: 2,
    randomize: true,
    signal: request.signal,
    maxRetryTime: Math.max(0, request.giveUpAt - now()),
    onFailedAttempt: async ({ error }) => {
      if (request.signal.aborted) throw request.signal.reason;
      const verdict = judge(error);
      if (!verdict.retry) {
        throw error instanceof ResponderError ? error : new ResponderError(describe(error), verdict.reason, { cause: error });
      }
      const waitMs = verdict.waitMs ?? 0;
      if (now() + waitMs >= request.giveUpAt) {
        throw new ResponderError(`${describe(error)}; retry-after ${waitMs} ms is past the last moment`, verdict.reason, {
          cause: error,
        });
      }
      request.reportProblem(verdict.reason);
      if (now() + waitMs >= request.replyBy) request.onSetback(verdict.reason);
      if (waitMs > 0) await sleep(waitMs, request.signal);
    },
  });
}

/** Sorts an attempt's failure into "try again" or "give up", with the fallback reason. */
function judge(error: unknown): Verdict {
  if (error instanceof OpenAI.RateLimitError) {
    // An exhausted quota does not come back in a minute.
    if (error.code === 'insufficient_quota') return { retry: false, reason: 'rate_limit' };
    return { retry: true, reason: 'rate_limit', waitMs: retryAfterMs(error.headers) };
  }
  if (error instanceof OpenAI.APIUserAbortError || error instanceof OpenAI.APIConnectionTimeoutError) {
    return { retry: true, reason: 'timeout' };
  }
  if (error instanceof OpenAI.APIConnectionError) return { retry: true, reason: 'provider_error' };
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? 0;
    const transient = status >= 500 || status === 408 || status === 409;
    return { retry: transient, reason: 'provider_error', waitMs: transient ? retryAfterMs(error.headers) : undefined };
  }
  if (error instanceof ResponderError) return { retry: error.code === 'provider_error', reason: error.code };
  if (error instanceof Error && error.name === 'TimeoutError') return { retry: true, reason: 'timeout' };
  return { retry: false, reason: 'internal' };
}

/** Reads `retry-after-ms`, then `retry-after` (seconds or an HTTP date), as OpenAI sends them. */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  // An HTTP date starts with the day's name; anything else (say "-1") is not a date.
  if (!/^[A-Za-z]/.test(value.trim())) return undefined;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function describe(error: unknown): string {
  if (error instanceof OpenAI.APIError && error.status) return `the model provider answered ${error.status}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
