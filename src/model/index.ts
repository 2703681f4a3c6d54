/**
 * Keeping the promise when the model or the database fail or the shop is overwhelmed: every
 * piece is a decorator of a core interface (`Responder`, `Store`), wired in `app.ts`.
 */
export { createCircuitBreaker, type CircuitBreaker, type CircuitBreakerOptions, type CircuitPermit, type CircuitState } from './circuit-breaker.js';
export { CircuitOpenError, withCircuitBreaker, type BreakerResponderOptions, type GuardedResponder } from './breaker.js';
export { createFairLimiter, QueueFullError, SlotTimeoutError, type AcquireOptions, type FairLimiter, type FairLimiterOptions, type Release } from './fair-limiter.js';
export { limitConcurrency, ModelQueueError, type ConcurrencyOptions, type LimitedResponder } from './limit.js';
export { resilienceMetrics, type ResilienceMetrics } from './metrics.js';
