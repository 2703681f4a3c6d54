import OpenAI from 'openai';
import { ResponderError, type FallbackReason, type ReplyRequest } from '../core/responder.js';
import { sleep } from '../core/timing.js';
import type { GatePermit, ModelGate } from './gate.js';

/** What one failed attempt means. */
type Verdict =
  /** The provider takes less than we send: back-pressure, never a failure. */
  | { readonly kind: 'rate_limit'; readonly waitMs?: number }
  /** The provider is failing (5xx, dropped or hung connection): retried, counted toward the breaker. */
  | { readonly kind: 'outage'; readonly reason: FallbackReason; readonly waitMs?: number }
  /** Waiting will not help (a refused key, an exhausted quota, a bad request, a bug). */
  | { readonly kind: 'final'; readonly reason: FallbackReason };

/** The part of a turn's request a call needs: a transcription passes its own. */
export type CallWindow = Pick<ReplyRequest, 'conversationKey' | 'signal' | 'giveUpAt' | 'report'>;

/** Options of {@link callModel}. */
export interface CallOptions {
  /** Where calls wait their turn; without it, calls go at once. */
  readonly gate?: ModelGate;
  /** Provider failures (not 429s) retried per call at most. Default 20 (with the backoff, about the default late window). */
  readonly maxFailures?: number;
  readonly now?: () => number;
}

/** The least time worth a last try before the turn's last moment. */
const LAST_TRY_MS = 100;

const FREE: GatePermit = { ok() {}, rateLimited() {}, failed() {}, release() {} };

/**
 * Makes one model call for a turn, through the gate, until it succeeds or the turn's last
 * moment makes waiting pointless. A 429 gives the slot back, tells the gate (which lowers its
 * limit and pauses every call for a named `retry-after`) and tries again when the gate lets it:
 * a rate limit is back-pressure, so it is retried for as long as the turn lasts. Provider
 * failures are retried with backoff (cut to the time left, never ending the turn early), at
 * most `maxFailures` times. What holds the call up is reported to the turn; a wait the
 * provider names past `giveUpAt` ends it at once with a {@link ResponderError}.
 */
export async function callModel<T>(request: CallWindow, call: () => Promise<T>, options: CallOptions = {}): Promise<T> {
  const now = options.now ?? Date.now;
  const maxFailures = options.maxFailures ?? 20;
  const since = now();
  let failures = 0;
  let throttled = 0;
  for (;;) {
    const permit = options.gate
      ? await options.gate.acquire(request.conversationKey, { signal: request.signal, giveUpAt: request.giveUpAt, report: request.report, since })
      : FREE;
    let verdict: Verdict;
    try {
      const result = await call();
      permit.ok();
      return result;
    } catch (error) {
      if (request.signal.aborted) {
        permit.release();
        throw request.signal.reason;
      }
      verdict = judge(error);
      if (verdict.kind === 'rate_limit') permit.rateLimited(verdict.waitMs);
      else if (verdict.kind === 'outage') permit.failed();
      else permit.release();
      if (verdict.kind === 'final') throw asResponderError(error, verdict.reason);
      if (verdict.kind === 'outage' && ++failures > maxFailures) {
        throw asResponderError(error, verdict.reason, `gave up after ${failures} failed attempts`);
      }
      const reason = verdict.kind === 'rate_limit' ? 'rate_limit' : verdict.reason;
      const named = verdict.waitMs !== undefined;
      const left = request.giveUpAt - now();
      // Our own backoff never ends a turn early: it is cut to the time left, for a last try.
      const waitMs = verdict.waitMs ?? Math.min(backoffMs(verdict.kind === 'rate_limit' ? throttled++ : failures - 1), left - LAST_TRY_MS);
      if (named ? waitMs >= left : waitMs < 0) {
        throw asResponderError(error, reason, `a wait of ${Math.round(Math.max(0, waitMs))} ms is past the last moment`);
      }
      request.report({ reason, until: now() + waitMs });
      // A wait the provider named is the gate's pause: queue at once and keep this call's place.
      if (!(verdict.kind === 'rate_limit' && verdict.waitMs !== undefined && options.gate)) await sleep(waitMs, request.signal);
    }
  }
}

/** 200 ms, doubling, up to 3 s, with jitter: a failing provider is not hammered. */
function backoffMs(attempt: number): number {
  const base = Math.min(3000, 200 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

/** Sorts an attempt's failure: back-pressure, an outage, or final. */
function judge(error: unknown): Verdict {
  if (error instanceof OpenAI.RateLimitError) {
    // An exhausted quota does not come back in a minute.
    if (error.code === 'insufficient_quota') return { kind: 'final', reason: 'rate_limit' };
    return { kind: 'rate_limit', waitMs: retryAfterMs(error.headers) ?? waitNamedIn(error.message) };
  }
  if (error instanceof OpenAI.APIUserAbortError || error instanceof OpenAI.APIConnectionTimeoutError) {
    return { kind: 'outage', reason: 'timeout' };
  }
  if (error instanceof OpenAI.APIConnectionError) return { kind: 'outage', reason: 'provider_error' };
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? 0;
    if (status >= 500 || status === 408 || status === 409) return { kind: 'outage', reason: 'provider_error', waitMs: retryAfterMs(error.headers) };
    return { kind: 'final', reason: 'provider_error' };
  }
  if (error instanceof ResponderError) return error.code === 'provider_error' ? { kind: 'outage', reason: error.code } : { kind: 'final', reason: error.code };
  if (error instanceof Error && error.name === 'TimeoutError') return { kind: 'outage', reason: 'timeout' };
  return { kind: 'final', reason: 'internal' };
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

/**
 * The wait a provider names only in its message ("Please try again in 20s", "in 1.5s",
 * "in 450ms", "in 1m30s"), as OpenAI and compatible servers write it when no header says it.
 */
export function waitNamedIn(message: string): number | undefined {
  const match = /try again in ((?:\d+(?:\.\d+)?(?:ms|s|m|h))+)/i.exec(message);
  if (!match) return undefined;
  let total = 0;
  for (const [, amount, unit] of match[1]!.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/gi)) {
    const value = Number.parseFloat(amount!);
    total += value * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit!.toLowerCase() as 'ms' | 's' | 'm' | 'h'];
  }
  return total;
}

function asResponderError(error: unknown, reason: FallbackReason, why?: string): ResponderError {
  if (error instanceof ResponderError && !why) return error;
  const described = error instanceof OpenAI.APIError && error.status ? `the model provider answered ${error.status}` : error instanceof Error ? error.message : String(error);
  return new ResponderError(why ? `${described}; ${why}` : described, reason, { cause: error });
}
