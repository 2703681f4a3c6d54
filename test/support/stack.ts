import OpenAI from 'openai';
import { createTelegramChannel } from '../../channels/telegram/index.js';
import { createEngine, type Engine } from '../../src/core/engine.js';
import { createMemoryHistoryStore } from '../../src/durable/history.js';
import { createLogger } from '../../src/infra/logger.js';
import { createMetrics, type Metrics } from '../../src/infra/metrics.js';
import { createModelGate, type ModelGate } from '../../src/model/gate.js';
import { createOpenAIResponder } from '../../src/model/openai.js';
import { frenchTexts } from '../../src/core/texts.js';
import type { ChannelAdapter } from '../../src/core/channel.js';
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai.js';
import { startFakeTelegram, type FakeTelegram } from './fake-telegram.js';
import { FALLBACK } from './engine-harness.js';

/** The whole bot in-process: real grammY and the real OpenAI SDK, over HTTP, against the fakes. */
export interface Stack {
  readonly telegram: FakeTelegram;
  readonly openai: FakeOpenAI;
  readonly engine: Engine;
  readonly channel: ChannelAdapter;
  readonly metrics: Metrics;
  /** The gate every model call goes through (adaptive limit, provider pause, breaker). */
  readonly gate: ModelGate;
  /** Texts sent to a chat, in order. */
  texts(chatId: number): string[];
  /** Waits until the chat has received `count` texts, and returns them. */
  waitForTexts(chatId: number, count: number, timeoutMs?: number): Promise<string[]>;
  /** Stops taking updates and finishes the replies in flight (the shutdown sequence). */
  shutdown(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(
  options: {
    replyDeadlineMs: number;
    lateAnswerMs: number;
    attemptTimeoutMs?: number;
    typingRefreshMs?: number;
    /** MODEL_CONCURRENCY (default 50); MODEL_BREAKER_FAILURES and _COOLDOWN_MS (defaults 5 and 30 s). */
    maxConcurrency?: number;
    breakerFailures?: number;
    breakerCooldownMs?: number;
  },
): Promise<Stack> {
  const telegram = await startFakeTelegram();
  const openai = await startFakeOpenAI();
  const logger = createLogger({ level: 'silent' });
  const metrics = createMetrics({ defaults: false });
  const gate = createModelGate({
    maxConcurrency: options.maxConcurrency ?? 50,
    failureThreshold: options.breakerFailures,
    cooldownMs: options.breakerCooldownMs,
    registry: metrics.registry,
    logger,
  });
  const responder = createOpenAIResponder({
    client: new OpenAI({ apiKey: 'sk-test', baseURL: `${openai.url}/v1`, maxRetries: 0 }),
    model: 'gpt-4o-mini',
    systemPrompt: 'Tu es la boutique Mode Ivoire.',
    attemptTimeoutMs: options.attemptTimeoutMs,
    gate,
  });
  const engine = createEngine({
    responder,
    history: createMemoryHistoryStore(),
    metrics,
    logger,
    texts: frenchTexts(FALLBACK),
    deadlines: { replyMs: options.replyDeadlineMs, lateAnswerMs: options.lateAnswerMs, ...(options.typingRefreshMs !== undefined && { typingRefreshMs: options.typingRefreshMs }) },
  });
  const channel = createTelegramChannel({
    token: telegram.token,
    apiRoot: telegram.url,
    logger,
    pollingTimeoutSeconds: 2,
    restartDelayMs: 100,
  });
  await channel.start(engine.receive);
  const texts = (chatId: number) => telegram.texts(chatId);
  let stopped = false;
  const shutdown = async () => {
    if (stopped) return;
    stopped = true;
    await channel.stop();
    await engine.drain();
  };
  return {
    telegram,
    openai,
    engine,
    channel,
    metrics,
    gate,
    texts,
    waitForTexts: (chatId, count, timeoutMs) => telegram.waitForTexts(chatId, count, timeoutMs),
    shutdown,
    async close() {
      await shutdown();
      gate.dispose();
      await telegram.close();
      await openai.close();
    },
  };
}
