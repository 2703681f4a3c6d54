import type { OpenAIBehaviour } from '../test/support/fake-openai.js';
import type { BotKind } from './bot-process.js';
import { Customer } from './customer.js';
import { kindOfText, startStack, type SentKind, type Stack } from './stack.js';
import { seededRandom, sleep, summarize, until } from './stats.js';

/** The peak of the scenario, compressed: who writes when, and how the model behaves. */
export interface SeedDayOptions {
  readonly conversations: number;
  /** All conversations start within this window (the scenario's 18h–20h peak, compressed). */
  readonly arrivalWindowMs: number;
  /** Share of model calls that are slow (10 s), rate-limited (429, retry-after 20 s) or hung, in equal parts. */
  readonly troubledShare: number;
  /** Healthy model calls take between these many ms. */
  readonly normalLatencyMs: readonly [number, number];
  readonly deadlineMs: number;
  /** The run stops this long after the start, whatever is still going on. */
  readonly capMs: number;
  /** Once every customer is done or gone, late replies are still counted this long. */
  readonly graceMs: number;
}

export interface SeedDayRun {
  readonly kind: BotKind;
  readonly seed: number;
  readonly seconds: number;
  readonly customerMessages: number;
  /** Messages whose first reply of any kind (answer or fallback) reached Telegram within deadline + 50 ms of the customer sending them. */
  readonly repliedInTime: number;
  /** Same, with a real answer. */
  readonly answeredInTime: number;
  /** Longest a message waited for its first reply, ms; `silenceOpen` when that message was never answered (the wait is then a lower bound). */
  readonly longestSilenceMs: number;
  readonly silenceOpen: boolean;
  readonly firstReply: ReturnType<typeof summarize>;
  /** For messages first covered by the fallback or a quick answer (sent at the deadline): ms after sent + deadline. */
  readonly coverLateness: ReturnType<typeof summarize>;
  readonly neverAnswered: number;
  /** Messages sent to customers, by kind: model answers, quick answers, fallbacks, give-ups. */
  readonly sent: Record<SentKind, number>;
  readonly completed: number;
  readonly abandoned: number;
  readonly stillWaiting: number;
  readonly heardAfterLeaving: number;
  readonly modelCalls: number;
  readonly errorLines: number;
}

/** The model's behaviour for its first `count` calls: the same list for every bot of a round. */
export function modelScript(seed: number, count: number, options: SeedDayOptions): OpenAIBehaviour[] {
  const random = seededRandom(seed ^ 0x9e3779b9);
  const [low, high] = options.normalLatencyMs;
  return Array.from({ length: count }, (): OpenAIBehaviour => {
    const roll = random();
    const third = options.troubledShare / 3;
    if (roll < third) return { latencyMs: 10_000 };
    if (roll < 2 * third) return { status: 429, retryAfter: 20 };
    if (roll < 3 * third) return { hang: true };
    return { latencyMs: Math.round(low + random() * (high - low)) };
  });
}

/** Runs the day against each of `kinds`, all at once (same seed, same customers, same model), for each seed. */
export async function benchSeedDay(kinds: readonly BotKind[], seeds: readonly number[], options: SeedDayOptions): Promise<SeedDayRun[]> {
  const runs = seeds.flatMap((seed) => kinds.map((kind) => ({ kind, seed })));
  const stacks: Stack[] = [];
  try {
    for (const { kind, seed } of runs) {
      stacks.push(
        await startStack(kind, {
          env: { REPLY_DEADLINE_MS: String(options.deadlineMs) },
          prepare: (openai) => {
            openai.enqueue(...modelScript(seed, 5000, options));
            openai.setDefault({ latencyMs: options.normalLatencyMs[1] });
          },
        }),
      );
    }
    return await Promise.all(runs.map(({ kind, seed }, i) => runDay(stacks[i]!, kind, seed, options)));
  } finally {
    await Promise.all(stacks.map((stack) => stack.close()));
  }
}

async function runDay(stack: Stack, kind: BotKind, seed: number, options: SeedDayOptions): Promise<SeedDayRun> {
  const { telegram } = stack;
  const random = seededRandom(seed);
  const customers = new Map<number, Customer>();
  for (let i = 0; i < options.conversations; i += 1) {
    const chatId = 4_000_000 + i;
    const think = [2000 + random() * 3000, 2000 + random() * 3000];
    customers.set(chatId, new Customer(chatId, telegram, random() * options.arrivalWindowMs, think));
  }
  const sent: Record<SentKind, number> = { model: 0, quick: 0, fallback: 0, unavailable: 0 };
  const unsubscribe = telegram.onCall((call) => {
    if (call.method !== 'sendMessage' || call.chatId === undefined) return;
    const text = call.text ?? '';
    const kind = kindOfText(text);
    sent[kind] += 1;
    customers.get(call.chatId)?.hear(kind, text, call.at);
  });
  const started = performance.now();
  for (const customer of customers.values()) customer.start();
  const all = [...customers.values()];
  await until(() => all.every((c) => !c.active), options.capMs, 100);
  const remaining = options.capMs - (performance.now() - started);
  if (remaining > 0) await sleep(Math.min(options.graceMs, remaining));
  const ended = performance.now();
  unsubscribe();
  for (const customer of all) customer.stop();

  const messages = all.flatMap((c) => c.messages);
  const allowance = options.deadlineMs + 50;
  const waits = messages.map((m) => (m.firstReplyAt ?? ended) - m.sentAt);
  const longest = Math.max(0, ...waits);
  return {
    kind,
    seed,
    seconds: (ended - started) / 1000,
    customerMessages: messages.length,
    repliedInTime: messages.filter((m) => m.firstReplyAt !== undefined && m.firstReplyAt - m.sentAt <= allowance).length,
    answeredInTime: messages.filter((m) => m.firstAnswerAt !== undefined && m.firstAnswerAt - m.sentAt <= allowance).length,
    longestSilenceMs: longest,
    silenceOpen: messages.some((m) => m.firstReplyAt === undefined && ended - m.sentAt >= longest),
    firstReply: summarize(messages.filter((m) => m.firstReplyAt !== undefined).map((m) => m.firstReplyAt! - m.sentAt)),
    coverLateness: summarize(
      messages
        .filter((m) => m.firstReplyKind === 'fallback' || m.firstReplyKind === 'quick')
        .map((m) => m.firstReplyAt! - m.sentAt - options.deadlineMs),
    ),
    neverAnswered: messages.filter((m) => m.firstReplyAt === undefined).length,
    sent,
    completed: all.filter((c) => c.status === 'done').length,
    abandoned: all.filter((c) => c.status === 'abandoned').length,
    stillWaiting: all.filter((c) => c.active).length,
    heardAfterLeaving: all.reduce((sum, c) => sum + c.heardAfterLeaving, 0),
    modelCalls: stack.openai.requests.length,
    errorLines: stack.bot.errorLines,
  };
}
