import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the model's limiter and circuit breaker show on `/metrics`. */
export interface ResilienceMetrics {
  /** 0 closed, 1 half-open, 2 open. */
  readonly circuitState: Gauge;
  readonly circuitRejections: Counter<'state'>;
  readonly circuitTransitions: Counter<'to'>;
  readonly callsInFlight: Gauge;
  readonly callsWaiting: Gauge;
  readonly queueWait: Histogram;
  readonly queueRejections: Counter<'reason'>;
}

const registered = new WeakMap<Registry, ResilienceMetrics>();

/**
 * The resilience metrics on `registry`, created once per registry (a second limiter or
 * breaker on the same registry shares them rather than failing to register).
 */
export function resilienceMetrics(registry: Registry): ResilienceMetrics {
  const existing = registered.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: ResilienceMetrics = {
    circuitState: new Gauge({
      name: 'akwaba_model_circuit_state',
      help: 'State of the circuit breaker around the model: 0 closed, 1 half-open (probing), 2 open (paused).',
      registers,
    }),
    circuitRejections: new Counter({
      name: 'akwaba_model_circuit_rejections_total',
      help: 'Turns answered without calling the model because its circuit was open or probing.',
      labelNames: ['state'],
      registers,
    }),
    circuitTransitions: new Counter({
      name: 'akwaba_model_circuit_transitions_total',
      help: 'Changes of the model circuit breaker state, by the state entered.',
      labelNames: ['to'],
      registers,
    }),
    callsInFlight: new Gauge({
      name: 'akwaba_model_calls_in_flight',
      help: 'Turns holding one of the MODEL_CONCURRENCY model slots.',
      registers,
    }),
    callsWaiting: new Gauge({
      name: 'akwaba_model_calls_waiting',
      help: 'Turns waiting for a model slot.',
      registers,
    }),
    queueWait: new Histogram({
      name: 'akwaba_model_queue_wait_seconds',
      help: 'Time a turn waited for a model slot.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
      registers,
    }),
    queueRejections: new Counter({
      name: 'akwaba_model_queue_rejections_total',
      help: 'Turns that got no model slot: the queue was full, or the last moment passed while waiting.',
      labelNames: ['reason'],
      registers,
    }),
  };
  registered.set(registry, metrics);
  return metrics;
}
