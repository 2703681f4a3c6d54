import { kindOfText, startStack, type SentKind } from './stack.js';
import { summarize, sleep, until, type Summary } from './stats.js';

/** How late the fallback is after hand-over + deadline, with the model hung. */
export interface FallbackResult {
  readonly chats: number;
  readonly rounds: number;
  readonly deadlineMs: number;
  readonly lateAnswerMs: number;
  /** Every round together (ms after hand-over + deadline; negative would be early). */
  readonly lateness: Summary;
  readonly roundP99: number[];
  /** Same, from the chat's typing indicator instead of the hand-over: leaves out the time the bot took to take the update in. */
  readonly latenessAfterTyping: Summary;
  /** What the first message to each chat was (the fallback expected; a quick answer may replace it). */
  readonly firstKinds: Partial<Record<SentKind, number>>;
  /** Chats that never got the fallback / got it more than once / got it before the deadline. */
  readonly missing: number;
  readonly duplicated: number;
  readonly early: number;
  /** Chats that did not get the "write again later" message once the late-answer window closed. */
  readonly missingGiveUp: number;
  /** Anything else sent to those chats (should be nothing). */
  readonly unexpected: number;
  /** The bot's own mean time to first response for fallbacks (receipt to sent), ms. */
  readonly botMeasuredMeanMs: number;
}

/**
 * A question the catalogue cannot answer on its own (after-sales goes to a person), so that
 * akwaba has nothing but the fallback to send at the deadline.
 */
export const UNANSWERABLE = "Ma commande n'est pas encore arrivée, que se passe-t-il ?";

/** `rounds` times, `chats` customers write at once while every model call hangs. */
export async function benchFallback(options: {
  chats: number;
  rounds: number;
  deadlineMs: number;
  lateAnswerMs: number;
}): Promise<FallbackResult> {
  const stack = await startStack('akwaba', {
    env: { REPLY_DEADLINE_MS: String(options.deadlineMs), LATE_ANSWER_MS: String(options.lateAnswerMs) },
    prepare: (openai) => openai.setDefault({ hang: true }),
  });
  const { telegram } = stack;
  try {
    const samples: number[][] = [];
    let missing = 0;
    let duplicated = 0;
    let early = 0;
    let missingGiveUp = 0;
    let unexpected = 0;
    const firstKinds: Partial<Record<SentKind, number>> = {};
    const afterTyping: number[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      const base = 2_000_000 + round * 10_000;
      const updateOf = new Map<number, number>();
      const fallbacks = new Map<number, number[]>();
      const others = new Map<number, string[]>();
      const first = new Map<number, { at: number; kind: SentKind }>();
      const typingAt = new Map<number, number>();
      const unsubscribe = telegram.onCall((call) => {
        if (call.chatId === undefined || !updateOf.has(call.chatId)) return;
        if (call.method === 'sendChatAction' && !typingAt.has(call.chatId)) typingAt.set(call.chatId, call.at);
        if (call.method !== 'sendMessage') return;
        const kind = kindOfText(call.text ?? '');
        if (!first.has(call.chatId)) first.set(call.chatId, { at: call.at, kind });
        if (kind === 'fallback') fallbacks.set(call.chatId, [...(fallbacks.get(call.chatId) ?? []), call.at]);
        else others.set(call.chatId, [...(others.get(call.chatId) ?? []), call.text ?? '']);
      });
      for (let i = 0; i < options.chats; i += 1) {
        updateOf.set(base + i, telegram.pushMessage(base + i, UNANSWERABLE));
      }
      const limitMs = options.deadlineMs + options.lateAnswerMs + 10_000;
      await until(() => others.size === options.chats, limitMs, 10);
      await sleep(200); // anything sent twice shows up now
      unsubscribe();
      const lateness: number[] = [];
      for (const [chatId, updateId] of updateOf) {
        const times = fallbacks.get(chatId) ?? [];
        if (times.length === 0) missing += 1;
        if (times.length > 1) duplicated += 1;
        const texts = others.get(chatId) ?? [];
        if (texts.length === 0) missingGiveUp += 1;
        if (texts.length > 1) unexpected += texts.length - 1;
        const reply = first.get(chatId);
        if (reply === undefined) continue;
        firstKinds[reply.kind] = (firstKinds[reply.kind] ?? 0) + 1;
        const late = reply.at - (telegram.handedOutAt(updateId)! + options.deadlineMs);
        if (late < 0) early += 1;
        lateness.push(late);
        const typed = typingAt.get(chatId);
        if (typed !== undefined) afterTyping.push(reply.at - (typed + options.deadlineMs));
      }
      samples.push(lateness);
      await sleep(300);
    }
    const metrics = await stack.metrics();
    const labels = { kind: 'fallback' };
    const count = stack.metric(metrics, 'akwaba_time_to_first_response_seconds_count', labels);
    return {
      chats: options.chats,
      rounds: options.rounds,
      deadlineMs: options.deadlineMs,
      lateAnswerMs: options.lateAnswerMs,
      lateness: summarize(samples.flat()),
      roundP99: samples.map((s) => summarize(s).p99),
      firstKinds,
      latenessAfterTyping: summarize(afterTyping),
      missing,
      duplicated,
      early,
      missingGiveUp,
      unexpected,
      botMeasuredMeanMs:
        count > 0 ? (stack.metric(metrics, 'akwaba_time_to_first_response_seconds_sum', labels) / count) * 1000 : Number.NaN,
    };
  } finally {
    await stack.close();
  }
}
