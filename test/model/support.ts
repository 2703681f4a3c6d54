import { vi } from 'vitest';
import type { FallbackReason, Reply, ReplyRequest, Responder } from '../../src/core/responder.js';

/** A request as the core builds it, with spies for its callbacks. */
export function replyRequest(
  overrides: Partial<ReplyRequest> & { controller?: AbortController } = {},
): ReplyRequest & { controller: AbortController; problems: FallbackReason[]; setbacks: FallbackReason[] } {
  const controller = overrides.controller ?? new AbortController();
  const problems: FallbackReason[] = [];
  const setbacks: FallbackReason[] = [];
  const now = Date.now();
  return {
    conversationKey: 'test:1',
    customer: { channel: 'test', chatId: '1' },
    history: [{ role: 'user', content: 'Bonjour', at: now }],
    replyBy: now + 8000,
    giveUpAt: now + 53_000,
    onSetback: vi.fn((reason: FallbackReason) => void setbacks.push(reason)),
    reportProblem: vi.fn((reason: FallbackReason) => void problems.push(reason)),
    signal: controller.signal,
    ...overrides,
    controller,
    problems,
    setbacks,
  };
}

/** A responder whose every call is settled by the test; it honours its signal like the OpenAI one. */
export function manualResponder(): Responder & {
  calls: { request: ReplyRequest; answer(text: string): void; fail(error: unknown): void }[];
} {
  const calls: { request: ReplyRequest; answer(text: string): void; fail(error: unknown): void }[] = [];
  return {
    description: 'manual model',
    calls,
    reply(request) {
      return new Promise<Reply>((resolve, reject) => {
        calls.push({ request, answer: (text) => resolve({ text }), fail: reject });
        request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
      });
    },
  };
}
