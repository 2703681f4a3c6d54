import { createEngine, type Engine, type EngineOptions } from '../../src/core/engine.js';
import { createMemoryHistoryStore } from '../../src/durable/history.js';
import type { HistoryStore } from '../../src/core/history.js';
import { createLogger } from '../../src/infra/logger.js';
import { createMetrics, type Metrics } from '../../src/infra/metrics.js';
import type { ReplyRequest, Responder } from '../../src/core/responder.js';
import { frenchTexts } from '../../src/core/texts.js';
import type { Channel } from '../../src/core/channel.js';
import type { IncomingMessage, MessageKind } from '../../src/core/message.js';

export const FALLBACK = 'Désolé, je réfléchis trop. Un petit instant... 🤔';

/** Something the in-memory channel was asked to do. */
export interface ChannelEvent {
  readonly type: 'typing' | 'text';
  readonly chatId: string;
  readonly text?: string;
  readonly at: number;
}

/** A channel that records what the core sends, in order, with the (possibly fake) clock. */
export function createRecordingChannel(name = 'test'): Channel & {
  events: ChannelEvent[];
  texts(chatId?: string): string[];
  typings(chatId?: string): ChannelEvent[];
} {
  const events: ChannelEvent[] = [];
  return {
    name,
    events,
    async sendText(chatId, text) {
      events.push({ type: 'text', chatId, text, at: Date.now() });
    },
    async sendTyping(chatId) {
      events.push({ type: 'typing', chatId, at: Date.now() });
    },
    texts: (chatId) => events.filter((e) => e.type === 'text' && (!chatId || e.chatId === chatId)).map((e) => e.text!),
    typings: (chatId) => events.filter((e) => e.type === 'typing' && (!chatId || e.chatId === chatId)),
  };
}

/** A responder driven by the test: each call waits for the test to settle it. */
export function createScriptedResponder(): Responder & {
  calls: ReplyRequest[];
  answer(index: number, text: string): void;
  fail(index: number, error: unknown): void;
} {
  const calls: ReplyRequest[] = [];
  const settlers: { resolve: (text: string) => void; reject: (error: unknown) => void }[] = [];
  return {
    description: 'scripted',
    calls,
    reply(request) {
      calls.push(request);
      return new Promise((resolve, reject) => {
        settlers.push({ resolve: (text) => resolve({ text }), reject });
        request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
      });
    },
    answer: (index, text) => settlers[index]!.resolve(text),
    fail: (index, error) => settlers[index]!.reject(error),
  };
}

let nextMessageId = 1;

/** A customer message as a channel would hand it over. */
export function customerMessage(chatId: string, text: string, kind: MessageKind = 'text', channel = 'test'): IncomingMessage {
  const id = nextMessageId++;
  return { channel, chatId, messageId: String(id), kind, text, from: { id: chatId, name: 'Awa' }, receivedAt: Date.now(), raw: { id } };
}

/** The shop's last resort as the app builds it from a catalogue lookup: one question, a confident answer. */
export function lastResortFrom(quickAnswer: (text: string) => string | null): NonNullable<EngineOptions['lastResort']> {
  return async ({ texts }) => {
    const answer = texts.length === 1 ? quickAnswer(texts[0]!) : null;
    return answer === null ? null : { text: answer };
  };
}

/** Shorthands of the tests: the deadlines one by one, and a synchronous catalogue lookup. */
export interface TestEngineOverrides extends Partial<EngineOptions> {
  readonly replyDeadlineMs?: number;
  readonly lateAnswerMs?: number;
  readonly typingRefreshMs?: number;
  readonly staleAfterMs?: number;
  readonly expireAfterMs?: number;
  readonly quickAnswer?: (text: string) => string | null;
}

/** The real engine wired to in-memory clients (deadlines: the scenario's 8 s, then 45 s). */
export function createTestEngine(
  responder: Responder,
  overrides: TestEngineOverrides = {},
): { engine: Engine; metrics: Metrics; history: HistoryStore } {
  const { replyDeadlineMs, lateAnswerMs, typingRefreshMs, staleAfterMs, expireAfterMs, quickAnswer, ...options } = overrides;
  const metrics = overrides.metrics ?? createMetrics({ defaults: false });
  const history = overrides.history ?? createMemoryHistoryStore();
  const engine = createEngine({
    responder,
    history,
    metrics,
    logger: createLogger({ level: 'silent' }),
    texts: frenchTexts(FALLBACK),
    ...(quickAnswer && { lastResort: lastResortFrom(quickAnswer) }),
    ...options,
    deadlines: {
      replyMs: replyDeadlineMs ?? 8000,
      lateAnswerMs: lateAnswerMs ?? 45_000,
      ...(typingRefreshMs !== undefined && { typingRefreshMs }),
      ...(staleAfterMs !== undefined && { staleAfterMs }),
      ...(expireAfterMs !== undefined && { expireAfterMs }),
      ...options.deadlines,
    },
  });
  return { engine, metrics, history };
}

/** Reads one counter/histogram-count value from the registry. */
export async function metricValue(metrics: Metrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l))
    .reduce((sum, v) => sum + v.value, 0);
}
