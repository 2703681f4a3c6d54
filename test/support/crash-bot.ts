import { join } from 'node:path';
import OpenAI from 'openai';
import { createTelegramChannel } from '../../channels/telegram/index.js';
import { createEngine } from '../../src/core/engine.js';
import { createFileHistoryStore } from '../../src/durable/history.js';
import { openJournal } from '../../src/durable/journal.js';
import { createLogger } from '../../src/infra/logger.js';
import { createMetrics } from '../../src/infra/metrics.js';
import { createOpenAIResponder } from '../../src/model/openai.js';
import { frenchTexts } from '../../src/core/texts.js';

/**
 * The bot's receiving and answering path as `src/app.ts` wires it (journal, recovery before
 * the channel starts, engine, grammY long polling, the OpenAI SDK, history on disk), without
 * the shop and its database, so the kill -9 test restarts it in a fraction of a second.
 * Configured by the environment: TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT, OPENAI_BASE_URL,
 * DATA_DIR, REPLY_DEADLINE_MS, LATE_ANSWER_MS. Prints `crash-bot: ready` once polling.
 */
async function main(): Promise<void> {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`crash-bot: ${name} is not set`);
    return value;
  };
  const dataDir = env('DATA_DIR');
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', pretty: false });
  const journal = await openJournal(join(dataDir, 'journal'), { logger });
  const telegram = createTelegramChannel({
    token: env('TELEGRAM_BOT_TOKEN'),
    apiRoot: env('TELEGRAM_API_ROOT'),
    logger,
    pollingTimeoutSeconds: 1,
    restartDelayMs: 100,
  });
  const engine = createEngine({
    responder: createOpenAIResponder({
      client: new OpenAI({ apiKey: 'sk-crash-test', baseURL: env('OPENAI_BASE_URL'), maxRetries: 0 }),
      model: 'gpt-4o-mini',
      systemPrompt: 'Tu es la boutique Mode Ivoire.',
    }),
    history: createFileHistoryStore(join(dataDir, 'conversations')),
    metrics: createMetrics({ defaults: false }),
    logger,
    texts: frenchTexts('Désolé, je réfléchis trop. Un petit instant... 🤔'),
    deadlines: { replyMs: Number(env('REPLY_DEADLINE_MS')), lateAnswerMs: Number(env('LATE_ANSWER_MS')) },
    journal,
  });
  engine.recover((name) => (name === telegram.name ? telegram : undefined));
  await telegram.start(engine.receive);
  const ready = setInterval(() => {
    if (telegram.status().state !== 'ready') return;
    clearInterval(ready);
    process.stdout.write('crash-bot: ready\n');
  }, 5);
}

main().catch((error: unknown) => {
  process.stderr.write(`crash-bot: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
