import type { BotKind } from './bot-process.js';
import type { BotVariant } from './profiles.js';
import { FALLBACK, startStack } from './stack.js';
import { sleep, summarize, until, type Summary } from './stats.js';

/** One run: `chats` customers each send `perChat` messages, the next as soon as the reply arrives. */
export interface ThroughputRun {
  readonly kind: BotKind;
  /** The bot and how it ran: `akwaba`, `akwaba, Supabase`, `akwaba, small-VPS flags`, `naive`… */
  readonly label: string;
  readonly messages: number;
  readonly replies: number;
  readonly fallbacks: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly cpuMsPerMessage: number;
  /** VmHWM at the end: the process's peak, start-up included. */
  readonly peakRssBytes: number;
  /** Customer's push to the reply reaching Telegram, ms. */
  readonly roundTrip: Summary;
  readonly errorLines: number;
  /** CPU ms per message during the run by thread kind (main thread, file-I/O pool, V8 helpers). */
  readonly cpuByThread: Record<string, number>;
}

const diffByThread = (before: Map<string, number>, after: Map<string, number>, messages: number): Record<string, number> =>
  Object.fromEntries([...after].map(([name, ms]) => [name, (ms - (before.get(name) ?? 0)) / Math.max(1, messages)]));

export async function runThroughput(variant: BotVariant, options: { chats: number; perChat: number }): Promise<ThroughputRun> {
  const { kind } = variant;
  const stack = await startStack(kind, { nodeArgs: [...(variant.nodeArgs ?? [])], supabase: variant.supabase === true });
  const { telegram, bot } = stack;
  try {
    await sleep(300); // let start-up work settle out of the CPU figure
    const total = options.chats * options.perChat;
    const base = 3_000_000;
    const sentCount = new Map<number, number>();
    const lastUpdate = new Map<number, number>();
    const roundTrips: number[] = [];
    let replies = 0;
    let fallbacks = 0;
    let lastReplyAt = 0;
    const send = (chatId: number) => {
      const count = (sentCount.get(chatId) ?? 0) + 1;
      sentCount.set(chatId, count);
      lastUpdate.set(chatId, telegram.pushMessage(chatId, `Message ${count} : vous avez la robe bordeaux en M ?`));
    };
    const unsubscribe = telegram.onCall((call) => {
      if (call.method !== 'sendMessage' || call.chatId === undefined || !sentCount.has(call.chatId)) return;
      replies += 1;
      lastReplyAt = call.at;
      if (call.text === FALLBACK) fallbacks += 1;
      roundTrips.push(call.at - telegram.pushedAt(lastUpdate.get(call.chatId)!)!);
      if (sentCount.get(call.chatId)! < options.perChat) send(call.chatId);
    });
    const cpuBefore = bot.cpuMs();
    const threadsBefore = bot.cpuMsByThread();
    const started = performance.now();
    for (let i = 0; i < options.chats; i += 1) send(base + i);
    await until(() => replies >= total, 120_000, 2);
    const cpuAfter = bot.cpuMs();
    const threadsAfter = bot.cpuMsByThread();
    unsubscribe();
    const { peak } = bot.memory();
    const seconds = ((replies >= total ? lastReplyAt : performance.now()) - started) / 1000;
    const messages = [...sentCount.values()].reduce((sum, n) => sum + n, 0);
    return {
      kind,
      label: variant.label,
      messages,
      replies,
      fallbacks,
      seconds,
      perSecond: replies / seconds,
      cpuMsPerMessage: (cpuAfter - cpuBefore) / Math.max(1, replies),
      peakRssBytes: peak,
      roundTrip: summarize(roundTrips),
      errorLines: bot.errorLines,
      cpuByThread: diffByThread(threadsBefore, threadsAfter, replies),
    };
  } finally {
    await stack.close();
  }
}
