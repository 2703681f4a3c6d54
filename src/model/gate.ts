import type { Registry } from 'prom-client';
import type { Health } from '../core/channel.js';
import { ResponderError, type FallbackReason, type Setback } from '../core/responder.js';
import type { Logger } from '../infra/logger.js';
import { createCircuitBreaker, type CircuitBreaker, type CircuitPermit, type CircuitState } from './circuit-breaker.js';
import { modelMetrics } from './metrics.js';
import { ProviderPause } from './pause.js';

/** Options of {@link createModelGate}. */
export interface ModelGateOptions {
  /** The most calls in flight at once, ever (`MODEL_CONCURRENCY`); the learnt limit stays under it. */
  readonly maxConcurrency: number;
  /** Calls of one conversation in flight at once. Default 1. */
  readonly perConversation?: number;
  /** Conversations failing in a row (5xx, dropped or hung calls, no success between) that pause the model (`MODEL_BREAKER_FAILURES`). Default 5. */
  readonly failureThreshold?: number;
  /** How long the model is paused before one call probes it (`MODEL_BREAKER_COOLDOWN_MS`). Default 30 000. */
  readonly cooldownMs?: number;
  /** Calls that may wait; past this a call is refused at once. Default 50 × `maxConcurrency`. */
  readonly maxWaiting?: number;
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** A name for `/healthz`, e.g. the model and its endpoint. */
  readonly description?: string;
}

/** What one call may ask for. */
export interface GateRequest {
  /** Aborted when the answer is no longer wanted: the call leaves the queue. */
  readonly signal: AbortSignal;
  /** The last moment the answer is still wanted (epoch ms): a wait past it is refused at once. */
  readonly giveUpAt: number;
  /** Told when the provider's pause or the breaker holds the call up, and until when. */
  readonly report: (setback: Setback) => void;
  /** When the turn first asked (epoch ms): a retried call keeps its place in the queue. Default now. */
  readonly since?: number;
}

/** The right to make one call. Say how it went, exactly once. */
export interface GatePermit {
  ok(): void;
  /** A 429: the provider takes less than we send; `waitMs` when it named a wait. */
  rateLimited(waitMs?: number): void;
  /** The provider failed (5xx, refused, reset, hung): counts toward the breaker. */
  failed(): void;
  /** Neither: cancelled, or a failure of ours or of the request. */
  release(): void;
}

/** See {@link createModelGate}. */
export interface ModelGate {
  /** The calls allowed in flight now (learnt from the provider's 429s). */
  readonly limit: number;
  readonly running: number;
  readonly waiting: number;
  /** Until when the provider asked us to wait (epoch ms), if it did and that is still ahead. */
  readonly pausedUntil: number | undefined;
  readonly breaker: CircuitBreaker;
  acquire(key: string, request: GateRequest): Promise<GatePermit>;
  /** For `/healthz`: `ready`, or `degraded` while paused or the breaker is not closed. */
  status(): Health;
  dispose(): void;
}

/** A 429 naming a wait this short is pushback on calls at once; a longer one is a quota's pause. */
const PUSHBACK_WAIT_MS = 1000;

interface Waiter {
  readonly key: string;
  readonly since: number;
  readonly request: GateRequest;
  grant(permit: CircuitPermit, pauseProbe: boolean): void;
}

/**
 * Stands between the turns and the model provider. Three things decide when a call goes:
 *
 * - **An adaptive limit on calls in flight.** A 429 halves it (once per round: the 429s of calls
 *   sent under the old limit do not halve it again), each `limit` successes raise it by one, up
 *   to `maxConcurrency`. A rate limit is back-pressure, never a failure.
 * - **The provider's own pause.** When a 429 names a wait (`retry-after`), no call goes before
 *   it ends; the calls waiting are told, so a customer whose deadline it passes gets the
 *   fallback at once, and every call goes as soon as the wait is over.
 * - **A circuit breaker for a provider that is down**: `failureThreshold` conversations failing
 *   in a row (one conversation's repeated failures count once, so one customer's trouble never
 *   pauses the others). Open, it holds calls back (it never aborts calls in flight); after the
 *   cool-down one call probes, and its success lets everyone through.
 *
 * Waiting calls go oldest first (a retried call keeps its place), one per conversation at a time.
 */
export function createModelGate(options: ModelGateOptions): ModelGate {
  const now = options.now ?? Date.now;
  const max = options.maxConcurrency;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxConcurrency must be a whole number ≥ 1, got ${max}`);
  const perKey = options.perConversation ?? 1;
  const maxWaiting = options.maxWaiting ?? max * 50;
  const metrics = options.registry ? modelMetrics(options.registry) : undefined;
  const { logger } = options;
  const queue: Waiter[] = [];
  const runningByKey = new Map<string, number>();
  /** Conversations that failed since the last success: each counts once toward the breaker. */
  const failing = new Set<string>();
  let running = 0;
  let limit = max;
  /** Bumped each time the limit is halved: 429s of calls sent before do not halve it again. */
  let round = 0;
  let successes = 0;
  const paused = new ProviderPause(now);
  let lastReason: FallbackReason = 'provider_error';

  const breaker = createCircuitBreaker({
    failureThreshold: options.failureThreshold,
    cooldownMs: options.cooldownMs,
    now,
    onStateChange(state: CircuitState) {
      metrics?.circuitState.set({ closed: 0, half_open: 1, open: 2 }[state]);
      metrics?.circuitTransitions.inc({ to: state });
      if (state === 'open') {
        logger?.warn({ reason: lastReason, waiting: queue.length }, 'model circuit open: calls wait for the provider to come back');
        tellWaiters({ reason: lastReason, until: breaker.retryAt });
      } else {
        logger?.info(state === 'half_open' ? 'model circuit half-open: one call probes the provider' : 'model circuit closed');
        if (state === 'closed') failing.clear();
      }
      fill();
    },
  });
  metrics?.circuitState.set(0);
  metrics?.limit.set(limit);

  const gauges = () => {
    metrics?.callsInFlight.set(running);
    metrics?.callsWaiting.set(queue.length);
  };

  function tellWaiters(setback: Setback): void {
    for (const waiter of queue) waiter.request.report(setback);
  }

  function holdUp(): Setback | undefined {
    if (paused.active) return { reason: 'rate_limit', until: paused.until };
    if (breaker.state === 'open') return { reason: lastReason, until: breaker.retryAt };
    return undefined;
  }

  function grantNext(pauseProbe: boolean): boolean {
    const index = queue.findIndex((waiter) => (runningByKey.get(waiter.key) ?? 0) < perKey);
    if (index < 0) return false;
    const permit = breaker.tryAcquire();
    if (!permit) return false;
    const [waiter] = queue.splice(index, 1);
    waiter!.grant(permit, pauseProbe);
    return true;
  }

  function fill(): void {
    if (paused.active) {
      if (paused.probeDue && running < limit && grantNext(true)) paused.probeSent();
      paused.wakeFor(fill);
      gauges();
      return;
    }
    metrics?.pausedSeconds.set(0);
    while (running < limit && queue.length > 0 && grantNext(false));
    gauges();
  }

  function pause(waitMs: number): void {
    if (!paused.extend(waitMs)) return;
    metrics?.pausedSeconds.set(waitMs / 1000);
    logger?.warn({ waitMs }, 'model provider asked us to wait: calls paused');
    tellWaiters({ reason: 'rate_limit', until: paused.until });
    fill();
  }

  function permitFor(key: string, circuit: CircuitPermit, pauseProbe: boolean): GatePermit {
    const issuedRound = round;
    running += 1;
    runningByKey.set(key, (runningByKey.get(key) ?? 0) + 1);
    let done = false;
    const settle = (outcome: () => void) => {
      if (done) return;
      done = true;
      running -= 1;
      const left = (runningByKey.get(key) ?? 1) - 1;
      if (left > 0) runningByKey.set(key, left);
      else runningByKey.delete(key);
      outcome();
      circuit.release();
      fill();
    };
    const afterProbe = (answered: boolean) => {
      if (pauseProbe && paused.probed(answered)) logger?.info('model provider answered during its pause: calls resume');
    };
    return {
      ok: () =>
        settle(() => {
          afterProbe(true);
          failing.clear();
          circuit.success();
          successes += 1;
          if (successes >= limit && limit < max) {
            limit += 1;
            successes = 0;
            metrics?.limit.set(limit);
          }
        }),
      rateLimited: (waitMs) =>
        settle(() => {
          metrics?.rateLimited.inc();
          afterProbe(false);
          // Pushback on how many at once (no wait named, or a short one) lowers the limit; a
          // quota's long wait is a pause, not a sign we send too many at a time.
          const pushback = waitMs === undefined || waitMs <= PUSHBACK_WAIT_MS;
          if (pushback && issuedRound === round) {
            round += 1;
            successes = 0;
            limit = Math.max(1, Math.floor(limit / 2));
            metrics?.limit.set(limit);
            logger?.info({ limit }, 'model provider rate-limiting: fewer calls at once');
          }
          if (waitMs !== undefined && waitMs > 0) pause(waitMs);
        }),
      failed: () =>
        settle(() => {
          afterProbe(false);
          lastReason = 'provider_error';
          // A failed probe always re-opens; otherwise one conversation counts once.
          if (failing.has(key) && !circuit.probe) return;
          failing.add(key);
          circuit.failure();
        }),
      release: () => settle(() => afterProbe(false)),
    };
  }

  return {
    get limit() {
      return limit;
    },
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
    get pausedUntil() {
      return paused.active ? paused.until : undefined;
    },
    breaker,
    acquire(key, request) {
      const { signal } = request;
      if (signal.aborted) return Promise.reject(signal.reason);
      const held = holdUp();
      // The provider itself named a wait past the last moment: no point waiting for it.
      if (held?.reason === 'rate_limit' && held.until !== undefined && held.until >= request.giveUpAt) {
        return Promise.reject(new ResponderError('the model provider asked us to wait past the last moment', 'rate_limit'));
      }
      if (queue.length >= maxWaiting) {
        metrics?.queueRejections.inc({ reason: 'queue_full' });
        return Promise.reject(new ResponderError(`too many customers at once: ${queue.length} calls waiting`, 'rate_limit'));
      }
      const queued = now();
      return new Promise<GatePermit>((resolve, reject) => {
        const onAbort = () => {
          const index = queue.indexOf(waiter);
          if (index < 0) return;
          queue.splice(index, 1);
          gauges();
          reject(signal.reason);
        };
        const waiter: Waiter = {
          key,
          since: request.since ?? queued,
          request,
          grant(circuit, pauseProbe) {
            signal.removeEventListener('abort', onAbort);
            metrics?.queueWait.observe((now() - queued) / 1000);
            resolve(permitFor(key, circuit, pauseProbe));
          },
        };
        // Oldest first: a call retried after a 429 goes before a customer who came later.
        const at = queue.findIndex((other) => other.since > waiter.since);
        queue.splice(at < 0 ? queue.length : at, 0, waiter);
        signal.addEventListener('abort', onAbort, { once: true });
        if (held) request.report(held);
        fill();
      });
    },
    status(): Health {
      const name = options.description ?? 'model';

      if (breaker.state !== 'closed') {
        const seconds = Math.max(0, Math.ceil(((breaker.retryAt ?? now()) - now()) / 1000));
        return { state: 'degraded', detail: `${name}: paused after repeated failures (${lastReason}), next try in ${seconds} s` };
      }
      if (paused.active) {
        return { state: 'degraded', detail: `${name}: rate-limited, calls resume in ${Math.ceil((paused.until - now()) / 1000)} s` };
      }
      return { state: 'ready', detail: `${name}: up to ${limit} calls at once` };
    },
    dispose() {
      paused.dispose();
      breaker.dispose();
    },
  };
}
