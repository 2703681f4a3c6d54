/**
 * The model: the OpenAI (or compatible) responder, and the gate every call goes through (an
 * adaptive limit learnt from the provider's 429s, the provider's own pause, a circuit breaker
 * for a provider that is down).
 */
export { createCircuitBreaker, type CircuitBreaker, type CircuitBreakerOptions, type CircuitPermit, type CircuitState } from './circuit-breaker.js';
export { createModelGate, type GatePermit, type GateRequest, type ModelGate, type ModelGateOptions } from './gate.js';
export { modelMetrics, type ModelMetrics } from './metrics.js';
export { createOpenAIResponder, type OpenAIResponderOptions } from './openai.js';
export { callModel, retryAfterMs, waitNamedIn, type CallOptions } from './retry.js';
