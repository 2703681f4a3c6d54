import type { BotKind } from './bot-process.js';
import { summarize, sleep, until, type Summary } from './stats.js';
import { startStack } from './stack.js';

/** Time from an update handed to the bot to its typing indicator reaching Telegram. */
export interface TypingResult {
  readonly kind: BotKind;
  readonly chats: number;
  readonly bursts: number;
  /** The first burst after start-up: new connections, cold JIT. */
  readonly cold: Summary;
  /** Every later burst together. */
  readonly warm: Summary;
  /** p99 of each warm burst, in order. */
  readonly warmBurstP99: number[];
  /** Same samples, from the customer's push instead of the hand-over (includes waiting for the next `getUpdates`). */
  readonly warmFromPush: Summary;
  /** Messages whose typing or answer never came within the burst's time limit. */
  readonly missingTyping: number;
  readonly missingAnswer: number;
  /** The bot's own `akwaba_typing_delay_seconds` mean (receipt to typing requested), ms. */
  readonly botMeasuredMeanMs: number;
}

/**
 * `bursts` times, `chats` new customers write at the same instant; the model answers at once.
 * Each burst waits for every typing indicator and every answer before the next one.
 */
export async function benchTyping(kind: BotKind, options: { chats: number; bursts: number }): Promise<TypingResult> {
  const stack = await startStack(kind);
  const { telegram } = stack;
  try {
    const bursts: { handout: number[]; push: number[] }[] = [];
    let missingTyping = 0;
    let missingAnswer = 0;
    for (let burst = 0; burst < options.bursts; burst += 1) {
      const base = 1_000_000 + burst * 10_000;
      const updateOf = new Map<number, number>();
      const typingAt = new Map<number, number>();
      const answered = new Set<number>();
      const unsubscribe = telegram.onCall((call) => {
        if (call.chatId === undefined || !updateOf.has(call.chatId)) return;
        if (call.method === 'sendChatAction' && !typingAt.has(call.chatId)) typingAt.set(call.chatId, call.at);
        if (call.method === 'sendMessage') answered.add(call.chatId);
      });
      for (let i = 0; i < options.chats; i += 1) {
        updateOf.set(base + i, telegram.pushMessage(base + i, 'Bonjour, je cherche une robe pour un mariage'));
      }
      const answers = kind !== 'typing-only';
      await until(() => typingAt.size === options.chats && (!answers || answered.size === options.chats), 15_000);
      unsubscribe();
      missingTyping += options.chats - typingAt.size;
      if (answers) missingAnswer += options.chats - answered.size;
      const handout: number[] = [];
      const push: number[] = [];
      for (const [chatId, at] of typingAt) {
        const updateId = updateOf.get(chatId)!;
        handout.push(at - telegram.handedOutAt(updateId)!);
        push.push(at - telegram.pushedAt(updateId)!);
      }
      bursts.push({ handout, push });
      await sleep(300);
    }
    const warm = bursts.slice(1);
    const metrics = await stack.metrics();
    const count = stack.metric(metrics, 'akwaba_typing_delay_seconds_count');
    return {
      kind,
      chats: options.chats,
      bursts: options.bursts,
      cold: summarize(bursts[0]?.handout ?? []),
      warm: summarize(warm.flatMap((b) => b.handout)),
      warmBurstP99: warm.map((b) => summarize(b.handout).p99),
      warmFromPush: summarize(warm.flatMap((b) => b.push)),
      missingTyping,
      missingAnswer,
      botMeasuredMeanMs: count > 0 ? (stack.metric(metrics, 'akwaba_typing_delay_seconds_sum') / count) * 1000 : Number.NaN,
    };
  } finally {
    await stack.close();
  }
}
