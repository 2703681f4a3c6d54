import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import OpenAI from 'openai';
import { createTelegramChannel } from '../channels/telegram/index.js';
import { createCannedResponder } from './canned-responder.js';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config.js';
import { createEngine } from './engine.js';
import { createFileHistoryStore } from './history.js';
import { createHttpApp, type ComponentHealth } from './http.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createOpenAIResponder } from './openai-responder.js';
import { shopSystemPrompt } from './prompt.js';
import type { Responder } from './responder.js';
import { frenchTexts } from './texts.js';
import type { ChannelAdapter } from './types.js';

/**
 * Start-up: the one place where real clients are built and wired. Reads the configuration,
 * starts the HTTP endpoint and the channels, and shuts down cleanly on SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    loadDotEnv();
    config = loadConfig(process.env);
  } catch (error) {
    const reason = error instanceof ConfigError ? error.message : `cannot read the configuration: ${String(error)}`;
    process.stderr.write(`akwaba: ${reason}\n`);
    process.exit(1);
  }

  const logger = createLogger({ level: config.logLevel });
  keepRunningOnStrayErrors(logger);
  const metrics = createMetrics();
  const responder = createResponder(config);
  const engine = createEngine({
    responder,
    history: createFileHistoryStore(join(config.dataDir, 'conversations')),
    metrics,
    logger,
    texts: frenchTexts(config.fallbackMessage),
    replyDeadlineMs: config.replyDeadlineMs,
    lateAnswerMs: config.lateAnswerMs,
  });

  const channels: ChannelAdapter[] = [];
  if (config.telegram) {
    channels.push(
      createTelegramChannel({
        token: config.telegram.botToken,
        apiRoot: config.telegram.apiRoot,
        allowGroups: config.telegram.allowGroups,
        logger,
      }),
    );
  }

  let shuttingDown = false;
  const model: ComponentHealth = config.openai
    ? { state: 'ready', detail: responder.description }
    : { state: 'off', detail: 'OPENAI_API_KEY is not set' };
  const app = createHttpApp({
    metrics,
    health: () => ({
      serving: !shuttingDown && channels.some((channel) => channel.status().state === 'ready'),
      channels: Object.fromEntries(channels.map((channel) => [channel.name, channel.status()])),
      model,
      store: { state: 'ready', detail: `conversations in ${config.dataDir}` },
    }),
  });
  const server = await listen(app.fetch, config.httpPort);

  for (const channel of channels) await channel.start(engine.receive);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.httpPort;
  logger.info(
    {
      channels: channels.map((channel) => channel.name),
      model: responder.description,
      store: `files in ${config.dataDir}`,
      http: `http://localhost:${port}`,
    },
    channels.length > 0
      ? `akwaba is running: ${channels.map((channel) => channel.name).join(', ')}; model ${responder.description}`
      : 'akwaba is running with no channel: set TELEGRAM_BOT_TOKEN in .env to talk to customers',
  );

  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: no new messages, finishing the replies in flight');
    const giveUp = setTimeout(() => {
      logger.warn('replies still in flight after the deadline; exiting anyway');
      process.exit(0);
    }, config.replyDeadlineMs + 5000);
    giveUp.unref();
    await Promise.allSettled(channels.map((channel) => channel.stop()));
    await engine.drain();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

function createResponder(config: Config): Responder {
  if (!config.openai) {
    return createCannedResponder(
      'Bonjour et merci pour votre message ! 🙂 Notre assistant n’est pas encore en ligne : une personne de la boutique vous répond très vite.',
    );
  }
  const client = new OpenAI({
    apiKey: config.openai.apiKey,
    baseURL: config.openai.baseURL ?? 'https://api.openai.com/v1',
    maxRetries: 0, // retries are decided under the reply deadline, not hidden in the SDK
  });
  return createOpenAIResponder({
    client,
    model: config.openai.model,
    systemPrompt: shopSystemPrompt({ name: 'Mode Ivoire', city: 'Abidjan' }),
  });
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname: '0.0.0.0' }, () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new ConfigError('HTTP_PORT', `HTTP_PORT ${port} is already in use: put a free port number in HTTP_PORT.`)
          : error,
      );
    });
  });
}

/** A stray rejection in some library must not take every customer's conversation down with it. */
function keepRunningOnStrayErrors(logger: Logger): void {
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  process.on('uncaughtException', (error) => logger.error({ err: error }, 'uncaught exception'));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error);
  process.stderr.write(`akwaba: ${message}\n`);
  process.exit(1);
});
