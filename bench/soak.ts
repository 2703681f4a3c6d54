import type { BotKind } from './bot-process.js';
import type { BotVariant } from './profiles.js';
import { FALLBACK, startStack } from './stack.js';
import { sleep } from './stats.js';

/** The shape of one soak: how many customers, how many messages in all, how many chats at once. */
export interface SoakOptions {
  readonly customers: number;
  readonly messages: number;
  /** Customers writing at the same time; the next customer starts when one has sent all its messages. */
  readonly inFlight: number;
  /** A memory sample every this many replies. */
  readonly sampleEvery: number;
  /** Replies before the figures "after warm-up" start (the slope is fitted on the samples from here on). */
  readonly warmupMessages: number;
}

/** Memory of the bot process after `messages` replies. */
export interface SoakSample {
  readonly messages: number;
  readonly rssBytes: number;
  /** V8 heap used, from akwaba's `/metrics`; NaN for the naive bot (it has none). */
  readonly heapUsedBytes: number;
}

export interface SoakRun {
  readonly kind: BotKind;
  /** The bot and how it ran (`akwaba`, `akwaba, small-VPS profile`, `naive`…). */
  readonly label: string;
  readonly options: SoakOptions;
  readonly replies: number;
  readonly fallbacks: number;
  readonly seconds: number;
  readonly samples: SoakSample[];
  /** VmHWM at the end: the process's peak, start-up included. */
  readonly peakRssBytes: number;
  /** User + system CPU of the bot process over the run, per reply, ms. */
  readonly cpuMsPerMessage: number;
  readonly errorLines: number;
}

const HEAP_METRIC = 'akwaba_nodejs_heap_size_used_bytes';

/**
 * Sends `messages` customer messages from `customers` distinct chats through the real bot
 * process, `inFlight` chats at a time, each chat sending its next message when the reply to the
 * previous one arrives; the model answers at once. Every customer is new when it starts, so
 * whatever the bot keeps per customer and never lets go shows as a slope.
 */
export async function runSoak(variant: BotVariant, options: SoakOptions): Promise<SoakRun> {
  const { kind, label } = variant;
  const stack = await startStack(kind, { nodeArgs: [...(variant.nodeArgs ?? [])], supabase: variant.supabase === true });
  const { telegram, bot } = stack;
  try {
    const perCustomer = Math.max(1, Math.round(options.messages / options.customers));
    const total = perCustomer * options.customers;
    const base = 5_000_000;
    const sentCount = new Map<number, number>();
    const samples: SoakSample[] = [];
    let started = 0;
    let replies = 0;
    let fallbacks = 0;
    let nextSampleAt = options.sampleEvery;
    let sampling: Promise<void> = Promise.resolve();

    const sample = async (messages: number) => {
      const { rss } = bot.memory();
      let heapUsedBytes = Number.NaN;
      if (kind === 'akwaba') {
        try {
          heapUsedBytes = stack.metric(await stack.metrics(), HEAP_METRIC);
        } catch {
          // a slow /metrics under load costs the sample its heap figure, not the run
        }
      }
      samples.push({ messages, rssBytes: rss, heapUsedBytes });
    };
    const send = (chatId: number) => {
      const count = (sentCount.get(chatId) ?? 0) + 1;
      sentCount.set(chatId, count);
      telegram.pushMessage(chatId, `Message ${count} : vous avez la robe bordeaux en M ?`);
    };
    const startCustomer = () => {
      if (started >= options.customers) return;
      started += 1;
      send(base + started);
    };
    const unsubscribe = telegram.onCall((call) => {
      if (call.method !== 'sendMessage' || call.chatId === undefined || !sentCount.has(call.chatId)) return;
      replies += 1;
      if (call.text === FALLBACK) fallbacks += 1;
      if (sentCount.get(call.chatId)! < perCustomer) send(call.chatId);
      else {
        sentCount.delete(call.chatId);
        startCustomer();
      }
      if (replies >= nextSampleAt) {
        const at = nextSampleAt;
        nextSampleAt += options.sampleEvery;
        sampling = sampling.then(() => sample(at));
      }
    });

    await sleep(300);
    await sample(0);
    const cpuBefore = bot.cpuMs();
    const began = performance.now();
    for (let i = 0; i < options.inFlight; i += 1) startCustomer();
    // Stop on the last reply, or when nothing has come for 30 s (a stuck bot still gets reported).
    let lastProgress = { replies: 0, at: performance.now() };
    while (replies < total && performance.now() - lastProgress.at < 30_000) {
      await sleep(20);
      if (replies !== lastProgress.replies) lastProgress = { replies, at: performance.now() };
    }
    const seconds = (performance.now() - began) / 1000;
    const cpuMsPerMessage = (bot.cpuMs() - cpuBefore) / Math.max(1, replies);
    unsubscribe();
    await sampling;
    return {
      kind,
      label,
      options,
      replies,
      fallbacks,
      seconds,
      samples,
      peakRssBytes: bot.memory().peak,
      cpuMsPerMessage,
      errorLines: bot.errorLines,
    };
  } finally {
    await stack.close();
  }
}

/** Least-squares slope of `y` over `x`; NaN with fewer than two points. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const usable = points.filter((p) => Number.isFinite(p.y));
  if (usable.length < 2) return Number.NaN;
  const meanX = usable.reduce((sum, p) => sum + p.x, 0) / usable.length;
  const meanY = usable.reduce((sum, p) => sum + p.y, 0) / usable.length;
  const spreadX = usable.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  if (spreadX === 0) return Number.NaN;
  return usable.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0) / spreadX;
}

/** What a soak run says about memory: after warm-up, at the end, the slope (bytes per 10k messages). */
export function soakFigures(run: SoakRun): {
  rssAfterWarmup: number;
  rssEnd: number;
  rssSlopePer10k: number;
  heapAfterWarmup: number;
  heapEnd: number;
  heapSlopePer10k: number;
} {
  const after = run.samples.filter((s) => s.messages >= run.options.warmupMessages);
  const first = after[0];
  const last = after.at(-1);
  const per10k = (pick: (s: SoakSample) => number) => slope(after.map((s) => ({ x: s.messages, y: pick(s) }))) * 10_000;
  return {
    rssAfterWarmup: first?.rssBytes ?? Number.NaN,
    rssEnd: last?.rssBytes ?? Number.NaN,
    rssSlopePer10k: per10k((s) => s.rssBytes),
    heapAfterWarmup: first?.heapUsedBytes ?? Number.NaN,
    heapEnd: last?.heapUsedBytes ?? Number.NaN,
    heapSlopePer10k: per10k((s) => s.heapUsedBytes),
  };
}
