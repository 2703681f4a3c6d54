import type { Registry } from 'prom-client';
import { ResponderError, type Reply, type ReplyRequest, type Responder } from '../core/responder.js';
import { createFairLimiter, QueueFullError, SlotTimeoutError, type FairLimiter } from './fair-limiter.js';
import { resilienceMetrics } from './metrics.js';

/** Options of {@link limitConcurrency}. */
export interface ConcurrencyOptions {
  /** Model calls in flight at once (`MODEL_CONCURRENCY`). */
  readonly concurrency: number;
  /** Calls of one conversation in flight at once. Default 1. */
  readonly perConversation?: number;
  /** Turns that may wait for a slot; past this a turn is refused at once. Default 50 × `concurrency`. */
  readonly maxWaiting?: number;
  /** Where the limiter's gauges go (`akwaba_model_calls_in_flight`, `…_waiting`, `…_queue_wait_seconds`). */
  readonly registry?: Registry;
  readonly now?: () => number;
}

/** A responder behind a fair limiter; `limiter` tells how busy it is. */
export interface LimitedResponder extends Responder {
  readonly limiter: FairLimiter;
}

/**
 * Marks a {@link ResponderError} raised by the limiter itself (our own overload, not the
 * provider's): the circuit breaker does not count it against the model.
 */
export class ModelQueueError extends Error {
  override readonly name = 'ModelQueueError';
  constructor(
    readonly code: 'queue_full' | 'slot_timeout',
    options: { cause: unknown },
  ) {
    super(code === 'queue_full' ? 'the model queue is full' : 'no model slot before the last moment', options);
  }
}

/**
 * Lets at most `concurrency` turns call `responder` at once; the others wait their turn,
 * round-robin by conversation. A waiting turn leaves the queue as soon as its `signal` aborts
 * (the customer's turn is over) or its `giveUpAt` passes. Too many waiting turns are refused
 * at once with a `rate_limit` {@link ResponderError}, so the core answers them right away.
 *
 * @example
 * const model = limitConcurrency(createOpenAIResponder({ … }), { concurrency: 8, registry: metrics.registry });
 */
export function limitConcurrency(responder: Responder, options: ConcurrencyOptions): LimitedResponder {
  const now = options.now ?? Date.now;
  const metrics = options.registry ? resilienceMetrics(options.registry) : undefined;
  const limiter: FairLimiter = createFairLimiter({
    concurrency: options.concurrency,
    perKey: options.perConversation ?? 1,
    maxWaiting: options.maxWaiting,
    now,
    onChange: () => {
      metrics?.callsInFlight.set(limiter.running);
      metrics?.callsWaiting.set(limiter.waiting);
    },
  });

  async function acquire(request: ReplyRequest) {
    try {
      return await limiter.acquire(request.conversationKey, { signal: request.signal, deadline: request.giveUpAt });
    } catch (error) {
      if (error instanceof QueueFullError) {
        metrics?.queueRejections.inc({ reason: 'queue_full' });
        const cause = new ModelQueueError('queue_full', { cause: error });
        throw new ResponderError(`too many customers at once: ${error.message}`, 'rate_limit', { cause });
      }
      if (error instanceof SlotTimeoutError) {
        metrics?.queueRejections.inc({ reason: 'slot_timeout' });
        throw new ResponderError(error.message, 'timeout', { cause: new ModelQueueError('slot_timeout', { cause: error }) });
      }
      throw error;
    }
  }

  return {
    description: responder.description,
    limiter,
    async reply(request): Promise<Reply> {
      const queued = now();
      const release = await acquire(request);
      metrics?.queueWait.observe((now() - queued) / 1000);
      let work: Promise<Reply>;
      try {
        work = responder.reply(request);
      } catch (error) {
        release();
        throw error;
      }
      // The slot is held until the call really ends, even if the customer's turn ends first:
      // the bound is on calls in flight at the provider, not on turns.
      work.then(release, release);
      return untilAborted(work, request.signal);
    },
  };
}

/** `work`'s outcome, or the signal's reason as soon as it aborts (a responder that ignores its signal holds no turn). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
