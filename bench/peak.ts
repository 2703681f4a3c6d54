import type { BotKind } from './bot-process.js';
import { lastUserText, type ChatCompletionRequestBody, type OpenAIBehaviour } from '../test/support/fake-openai.js';
import { kindOfText, startStack, type SentKind } from './stack.js';
import { sleep, summarize, until, type Summary } from './stats.js';

/** The scenario's 18:32: a slow first call, the customer writes again after the fallback. */
export interface RetryResult {
  readonly kind: BotKind;
  readonly chats: number;
  /** The model's own latency for the retry's call, ms. */
  readonly modelLatencyMs: number;
  /** From the retry's hand-over to the answer to it (the first real answer after the retry), ms. */
  readonly retryToAnswer: Summary;
  /** Retries with no answer by the end of the run. */
  readonly unanswered: number;
  /** Messages per customer that were not the answer to the retry (fallbacks, stale answers). */
  readonly otherMessagesPerCustomer: number;
}

/** The scenario's Black Friday: a burst past the provider's quota, which resets a little later. */
export interface BurstResult {
  readonly kind: BotKind;
  readonly chats: number;
  readonly quota: number;
  readonly resetAfterMs: number;
  /** Customers who got the real answer before the reset, and within 2 s after it. */
  readonly answeredBeforeReset: number;
  readonly answeredWithin2sOfReset: number;
  /** Customers with no real answer by the end of the run. */
  readonly neverAnswered: number;
  /** Messages per customer that were not the answer (fallbacks, apologies). */
  readonly otherMessagesPerCustomer: number;
  /** For those past the quota: from the reset to their answer, ms. */
  readonly afterReset: Summary;
}

const SLOW_MS = 20_000;
const RETRY_MS = 300;
const RETRY = 'Des robes élégantes pour mariage';

/**
 * 18:32, `chats` customers at once: the model takes 20 s for a first question (slower than
 * the 8 s deadline); 3 s after the fallback (or 11 s after the question, for a bot without one)
 * each customer writes again, and the model answers that in 300 ms.
 */
export async function benchRetry(kind: BotKind, options: { chats: number; deadlineMs: number }): Promise<RetryResult> {
  const slowFirst = (body: ChatCompletionRequestBody): OpenAIBehaviour => {
    const users = body.messages.filter((m) => m.role === 'user').length;
    return lastUserText(body) === RETRY || users > 1 ? { latencyMs: RETRY_MS } : { latencyMs: SLOW_MS };
  };
  const stack = await startStack(kind, {
    env: { REPLY_DEADLINE_MS: String(options.deadlineMs), LATE_ANSWER_MS: '45000' },
    readyTimeoutMs: 60_000,
    prepare: (openai) => openai.route(slowFirst),
  });
  const { telegram } = stack;
  try {
    const base = 3_000_000;
    const retryUpdate = new Map<number, number>();
    const sent = new Map<number, { at: number; kind: SentKind; text: string }[]>();
    const unsubscribe = telegram.onCall((call) => {
      if (call.method !== 'sendMessage' || call.chatId === undefined || call.chatId < base) return;
      sent.set(call.chatId, [...(sent.get(call.chatId) ?? []), { at: call.at, kind: kindOfText(call.text ?? ''), text: call.text ?? '' }]);
    });
    const chatIds = Array.from({ length: options.chats }, (_, i) => base + i);
    for (const chatId of chatIds) telegram.pushMessage(chatId, 'Bonjour, je cherche une robe pour un mariage');
    const questionAt = performance.now();
    // The customer writes again 3 s after the fallback; without one, 3 s after the deadline.
    await sleep(options.deadlineMs + 3000);
    for (const chatId of chatIds) retryUpdate.set(chatId, telegram.pushMessage(chatId, RETRY));
    const answered = (chatId: number) => (sent.get(chatId) ?? []).some((m) => m.text === `Réponse à: ${RETRY}`);
    await until(() => chatIds.every(answered), Math.max(0, questionAt + SLOW_MS * 3 - performance.now()), 20);
    // Whatever the slow first calls still send (a stale answer on top of the new one) is counted too.
    await sleep(Math.max(500, questionAt + SLOW_MS + 1500 - performance.now()));
    unsubscribe();
    const delays: number[] = [];
    let others = 0;
    let unanswered = 0;
    for (const chatId of chatIds) {
      const messages = sent.get(chatId) ?? [];
      const answer = messages.find((m) => m.text === `Réponse à: ${RETRY}`);
      const handedOut = telegram.handedOutAt(retryUpdate.get(chatId)!);
      if (answer && handedOut !== undefined) delays.push(answer.at - handedOut);
      else unanswered += 1;
      others += messages.filter((m) => m !== answer).length;
    }
    return {
      kind,
      chats: options.chats,
      modelLatencyMs: RETRY_MS,
      retryToAnswer: summarize(delays),
      unanswered,
      otherMessagesPerCustomer: others / options.chats,
    };
  } finally {
    await stack.close();
  }
}

/** Black Friday: `chats` customers at once against a quota of `quota` requests that resets after `resetAfterMs`. */
export async function benchBurst(kind: BotKind, options: { chats: number; quota: number; resetAfterMs: number; deadlineMs: number }): Promise<BurstResult> {
  let used = 0;
  let resetAt = Number.POSITIVE_INFINITY;
  const quota = (): OpenAIBehaviour | undefined => {
    if (Date.now() >= resetAt) return { latencyMs: 400 };
    used += 1;
    if (used <= options.quota) return { latencyMs: 400 };
    const seconds = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
    return { status: 429, retryAfter: seconds };
  };
  const stack = await startStack(kind, {
    env: { REPLY_DEADLINE_MS: String(options.deadlineMs), LATE_ANSWER_MS: '45000' },
    readyTimeoutMs: 60_000,
    prepare: (openai) => openai.route(quota),
  });
  const { telegram } = stack;
  try {
    const base = 4_000_000;
    const sent = new Map<number, { at: number; kind: SentKind }[]>();
    const unsubscribe = telegram.onCall((call) => {
      if (call.method !== 'sendMessage' || call.chatId === undefined || call.chatId < base) return;
      sent.set(call.chatId, [...(sent.get(call.chatId) ?? []), { at: call.at, kind: kindOfText(call.text ?? '') }]);
    });
    const chatIds = Array.from({ length: options.chats }, (_, i) => base + i);
    const startedWall = Date.now();
    const started = performance.now();
    resetAt = startedWall + options.resetAfterMs;
    for (const chatId of chatIds) telegram.pushMessage(chatId, 'Bonjour, vous avez des robes en promo ?');
    const hasAnswer = (chatId: number) => (sent.get(chatId) ?? []).some((m) => m.kind === 'model');
    await until(() => chatIds.every(hasAnswer), options.resetAfterMs + 50_000, 20);
    await sleep(500);
    unsubscribe();
    const resetPerf = started + options.resetAfterMs;
    let before = 0;
    let within2s = 0;
    let never = 0;
    let others = 0;
    const afterReset: number[] = [];
    for (const chatId of chatIds) {
      const messages = sent.get(chatId) ?? [];
      const answer = messages.find((m) => m.kind === 'model');
      others += messages.filter((m) => m !== answer).length;
      if (!answer) {
        never += 1;
        continue;
      }
      if (answer.at < resetPerf) before += 1;
      else {
        afterReset.push(answer.at - resetPerf);
        if (answer.at - resetPerf <= 2000) within2s += 1;
      }
    }
    return {
      kind,
      chats: options.chats,
      quota: options.quota,
      resetAfterMs: options.resetAfterMs,
      answeredBeforeReset: before,
      answeredWithin2sOfReset: within2s,
      neverAnswered: never,
      otherMessagesPerCustomer: others / options.chats,
      afterReset: summarize(afterReset),
    };
  } finally {
    await stack.close();
  }
}
