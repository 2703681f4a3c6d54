import OpenAI from 'openai';
import type { Reply, ReplyRequest, Responder, Setback } from '../../src/core/responder.js';
import type { ModelGate } from '../../src/model/gate.js';
import { callModel } from '../../src/model/retry.js';

/** A request as the core builds it, with what was reported to the turn collected. */
export function replyRequest(
  overrides: Partial<ReplyRequest> & { controller?: AbortController } = {},
): ReplyRequest & { controller: AbortController; setbacks: Setback[] } {
  const controller = overrides.controller ?? new AbortController();
  const setbacks: Setback[] = [];
  const now = Date.now();
  return {
    conversationKey: 'test:1',
    customer: { channel: 'test', chatId: '1' },
    history: [{ role: 'user', content: 'Bonjour', at: now }],
    replyBy: now + 8000,
    giveUpAt: now + 53_000,
    report: (setback) => void setbacks.push(setback),
    signal: controller.signal,
    ...overrides,
    controller,
    setbacks,
  };
}

/** How the simulated provider of {@link simulatedProvider} behaves. */
export interface ProviderState {
  /** Milliseconds per call (fake time). */
  latencyMs: number;
  /** Calls it takes at once; more get a 429 without a named wait. */
  capacity: number;
  /** Requests per window; past it, a 429 naming the wait until the window resets. */
  quota?: { limit: number; resetAt: number };
  /** Every call fails with this (a 5xx, say) while set. */
  failWith?: () => Error;
  calls: number;
  active: number;
  maxActive: number;
  answered: number;
  rateLimited: number;
}

/**
 * A model provider simulated in fake time behind the real retry loop and gate: what the OpenAI
 * SDK throws (its own error classes, with the headers OpenAI sends) for a provider with a
 * concurrency cap, a request quota, or an outage.
 */
export function simulatedProvider(gate: ModelGate, initial: Partial<ProviderState> = {}): { model: Responder; state: ProviderState } {
  const state: ProviderState = { latencyMs: 500, capacity: Number.POSITIVE_INFINITY, calls: 0, active: 0, maxActive: 0, answered: 0, rateLimited: 0, ...initial };
  function attempt(request: ReplyRequest): Promise<Reply> {
    state.calls += 1;
    if (state.quota && Date.now() < state.quota.resetAt) {
      if (state.quota.limit <= 0) {
        state.rateLimited += 1;
        const seconds = Math.ceil((state.quota.resetAt - Date.now()) / 1000);
        const message = `Rate limit reached for gpt-4o-mini on requests per min (RPM). Please try again in ${seconds}s.`;
        return Promise.reject(new OpenAI.RateLimitError(429, { message, code: 'rate_limit_exceeded' }, message, new Headers({ 'retry-after': String(seconds) })));
      }
      state.quota.limit -= 1;
    }
    if (state.active >= state.capacity) {
      state.rateLimited += 1;
      const message = 'Too many requests in flight.';
      return Promise.reject(new OpenAI.RateLimitError(429, { message, code: 'rate_limit_exceeded' }, message, new Headers()));
    }
    state.active += 1;
    state.maxActive = Math.max(state.maxActive, state.active);
    return new Promise<Reply>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        state.active -= 1;
        outcome();
      };
      const timer = setTimeout(() => {
        const failure = state.failWith?.();
        if (!failure) state.answered += 1;
        settle(() => (failure ? reject(failure) : resolve({ text: `Réponse pour ${request.customer.chatId}` })));
      }, state.latencyMs);
      request.signal.addEventListener('abort', () => settle(() => (clearTimeout(timer), reject(new OpenAI.APIUserAbortError()))), { once: true });
    });
  }
  return { model: { description: 'simulated provider', reply: (request) => callModel(request, () => attempt(request), { gate }) }, state };
}

/** A 503 as the OpenAI SDK throws it. */
export function overloaded(): Error {
  const message = 'The engine is currently overloaded, please try again later.';
  return new OpenAI.InternalServerError(503, { message, type: 'server_error' }, message, new Headers());
}
