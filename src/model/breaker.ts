import type { Registry } from 'prom-client';
import type { Health } from '../core/channel.js';
import type { Logger } from '../infra/logger.js';
import { ResponderError, type FallbackReason, type Reply, type Responder } from '../core/responder.js';
import { createCircuitBreaker, type CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import { ModelQueueError } from './limit.js';
import { resilienceMetrics } from './metrics.js';

/** Options of {@link withCircuitBreaker}. */
export interface BreakerResponderOptions {
  /** Failed model attempts in a row that pause the model (`MODEL_BREAKER_FAILURES`). Default 5. */
  readonly failureThreshold?: number;
  /** How long the model is paused before one turn probes it again (`MODEL_BREAKER_COOLDOWN_MS`). Default 30 000. */
  readonly cooldownMs?: number;
  /** Where `akwaba_model_circuit_state` and the rejection counter go. */
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** A responder behind a circuit breaker, with its state for `/healthz`. */
export interface GuardedResponder extends Responder {
  readonly breaker: CircuitBreaker;
  /** For the `model` entry of `/healthz`: `ready` when closed, `degraded` when open or probing. */
  status(): Health;
  /** Stops the breaker's cool-down timer. */
  dispose(): void;
}

/** The abort reason given to calls in flight when the circuit opens. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  readonly code = 'circuit_open';
  constructor() {
    super('the model circuit opened while this call was in flight');
  }
}

const GAUGE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * Stops calling a failing model for a cool-down. Every failed attempt the responder reports
 * (`reportProblem`: a 429, a 5xx, a hung or dropped connection) and every final provider
 * failure counts; a success resets the count, however late it came. A turn that ends because
 * the customer's turn is over (its `signal` aborts), or that fails for a reason of ours
 * (`internal`, the model queue), counts neither way.
 *
 * Once `failureThreshold` failures come in a row the circuit opens: turns in flight are
 * aborted and every new turn is refused at once with a {@link ResponderError} (`rate_limit`
 * when the provider was rate-limiting, `provider_error` otherwise), so the core answers from
 * the catalogue or with the fallback straight away. After `cooldownMs` one turn probes the
 * model (half-open): its success closes the circuit, its failure opens it again.
 *
 * @example
 * const model = withCircuitBreaker(limitConcurrency(openai, { concurrency: 8 }), { registry: metrics.registry, logger });
 * const health = () => ({ …, model: model.status() });
 */
export function withCircuitBreaker(responder: Responder, options: BreakerResponderOptions = {}): GuardedResponder {
  const now = options.now ?? Date.now;
  const metrics = options.registry ? resilienceMetrics(options.registry) : undefined;
  const inFlight = new Set<AbortController>();
  let lastReason: FallbackReason = 'provider_error';

  const breaker = createCircuitBreaker({
    failureThreshold: options.failureThreshold,
    cooldownMs: options.cooldownMs,
    now,
    onStateChange(state) {
      metrics?.circuitState.set(GAUGE[state]);
      metrics?.circuitTransitions.inc({ to: state });
      if (state === 'open') {
        options.logger?.warn(
          { reason: lastReason, cooldownMs: options.cooldownMs ?? 30_000, aborted: inFlight.size },
          'model circuit open: answering without the model until the cool-down ends',
        );
        // Stop hammering the provider: calls still retrying would only add to its load.
        for (const controller of inFlight) controller.abort(new CircuitOpenError());
      } else if (state === 'half_open') {
        options.logger?.info('model circuit half-open: the next turn probes the model');
      } else {
        options.logger?.info('model circuit closed: the model answers again');
      }
    },
  });
  metrics?.circuitState.set(0);

  const refusalCode = (): FallbackReason => (lastReason === 'rate_limit' ? 'rate_limit' : 'provider_error');

  return {
    description: responder.description,
    breaker,
    async reply(request): Promise<Reply> {
      const permit = breaker.tryAcquire();
      if (!permit) {
        metrics?.circuitRejections.inc({ state: breaker.state });
        throw new ResponderError(`the model is paused after repeated failures (circuit ${breaker.state})`, refusalCode());
      }
      const controller = new AbortController();
      const follow = () => controller.abort(request.signal.reason);
      if (request.signal.aborted) follow();
      else request.signal.addEventListener('abort', follow, { once: true });
      inFlight.add(controller);
      let reported = false;
      try {
        const reply = await responder.reply({
          ...request,
          signal: controller.signal,
          reportProblem(reason) {
            if (countsAgainstProvider(reason)) {
              reported = true;
              lastReason = reason;
              permit.failure();
            }
            request.reportProblem(reason);
          },
        });
        permit.success();
        return reply;
      } catch (error) {
        if (controller.signal.reason instanceof CircuitOpenError && !request.signal.aborted) {
          throw new ResponderError('the model was paused while this answer was on its way', refusalCode(), { cause: error });
        }
        if (!reported && !request.signal.aborted && isProviderFailure(error)) {
          lastReason = error.code;
          permit.failure();
        }
        throw error;
      } finally {
        permit.release();
        inFlight.delete(controller);
        request.signal.removeEventListener('abort', follow);
      }
    },
    status(): Health {
      const state = breaker.state;
      if (state === 'closed') return { state: 'ready', detail: responder.description };
      if (state === 'half_open') {
        return { state: 'degraded', detail: `${responder.description}: failing (${lastReason}), the next turn probes it` };
      }
      const seconds = Math.max(0, Math.ceil(((breaker.retryAt ?? now()) - now()) / 1000));
      return {
        state: 'degraded',
        detail: `${responder.description}: paused after repeated failures (${lastReason}), next try in ${seconds} s`,
      };
    },
    dispose: () => breaker.dispose(),
  };
}

function countsAgainstProvider(reason: FallbackReason): reason is 'rate_limit' | 'provider_error' | 'timeout' {
  return reason === 'rate_limit' || reason === 'provider_error' || reason === 'timeout';
}

function isProviderFailure(error: unknown): error is ResponderError & { code: 'rate_limit' | 'provider_error' | 'timeout' } {
  return error instanceof ResponderError && countsAgainstProvider(error.code) && !(error.cause instanceof ModelQueueError);
}
