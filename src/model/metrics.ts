import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the model gate (adaptive limit, provider pause, breaker) shows on `/metrics`. */
export interface ModelMetrics {
  /** 0 closed, 1 half-open, 2 open. */
  readonly circuitState: Gauge;
  readonly circuitTransitions: Counter<'to'>;
  /** The calls allowed in flight now, learnt from the provider's 429s. */
  readonly limit: Gauge;
  readonly rateLimited: Counter;
  /** How long the provider last asked us to wait, while the wait lasts (0 otherwise). */
  readonly pausedSeconds: Gauge;
  readonly callsInFlight: Gauge;
  readonly callsWaiting: Gauge;
  readonly queueWait: Histogram;
  readonly queueRejections: Counter<'reason'>;
}

const registered = new WeakMap<Registry, ModelMetrics>();

/**
 * The model's metrics on `registry`, created once per registry (a second gate on the same
 * registry shares them rather than failing to register).
 */
export function modelMetrics(registry: Registry): ModelMetrics {
  const existing = registered.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: ModelMetrics = {
    circuitState: new Gauge({
      name: 'akwaba_model_circuit_state',
      help: 'State of the circuit breaker around the model: 0 closed, 1 half-open (probing), 2 open (paused).',
      registers,
    }),
    circuitTransitions: new Counter({
      name: 'akwaba_model_circuit_transitions_total',
      help: 'Changes of the model circuit breaker state, by the state entered.',
      labelNames: ['to'],
      registers,
    }),
    limit: new Gauge({
      name: 'akwaba_model_concurrency_limit',
      help: 'Model calls allowed in flight now: halved on a 429, raised by one after as many successes, up to MODEL_CONCURRENCY.',
      registers,
    }),
    rateLimited: new Counter({
      name: 'akwaba_model_rate_limited_total',
      help: 'Model calls the provider answered with 429 (retried, never counted as failures).',
      registers,
    }),
    pausedSeconds: new Gauge({
      name: 'akwaba_model_paused_seconds',
      help: 'How long the provider asked us to wait (retry-after) while the pause lasts; 0 otherwise.',
      registers,
    }),
    callsInFlight: new Gauge({
      name: 'akwaba_model_calls_in_flight',
      help: 'Model calls in flight.',
      registers,
    }),
    callsWaiting: new Gauge({
      name: 'akwaba_model_calls_waiting',
      help: 'Model calls waiting for their turn (limit, provider pause or open breaker).',
      registers,
    }),
    queueWait: new Histogram({
      name: 'akwaba_model_queue_wait_seconds',
      help: 'Time a model call waited for its turn.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
      registers,
    }),
    queueRejections: new Counter({
      name: 'akwaba_model_queue_rejections_total',
      help: 'Model calls refused because too many were waiting.',
      labelNames: ['reason'],
      registers,
    }),
  };
  registered.set(registry, metrics);
  return metrics;
}
