import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTelegramChannel } from '../../channels/telegram/index.js';
import { createWhatsAppCloudChannel, type WhatsAppCloudChannel } from '../../channels/whatsapp-cloud/index.js';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/infra/config/index.js';
import { createOpenAIClient } from '../../src/model/client.js';
import { createMetrics, type Metrics } from '../../src/infra/metrics.js';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import type { Store } from '../../src/store/types.js';
import { APP_SECRET, capturedLogger, serveHttp, VERIFY_TOKEN, WEBHOOK_PATH } from './cloud-channel.js';
import { startFakeGraph, type FakeGraph } from './fake-graph.js';
import { createFakeMeta, type FakeMeta } from './fake-meta.js';
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai.js';
import { startFakeTelegram, type FakeTelegram } from './fake-telegram.js';

export const OWNER_CHAT_ID = 999_000;

/** The fakes and the data folder, which outlive one run of the app (a restart). */
export interface CloudWorld {
  readonly graph: FakeGraph;
  readonly openai: FakeOpenAI;
  /** Only the owner is on Telegram: notices go there. */
  readonly telegram: FakeTelegram;
  readonly dataDir: string;
}

/**
 * The whole app as `main.ts` wires it with `WHATSAPP_MODE=cloud` (configuration read by
 * `loadConfig`, the Cloud API channel from it, the owner on Telegram, the real OpenAI SDK
 * against its fake), its HTTP endpoint on 127.0.0.1, and Meta posting to its webhook.
 */
export interface CloudStack extends CloudWorld {
  readonly app: App;
  readonly channel: WhatsAppCloudChannel;
  readonly meta: FakeMeta;
  readonly metrics: Metrics;
  /** The bot's own HTTP endpoint (`/healthz`, `/metrics`, the webhook). */
  readonly origin: string;
  /** Every log line of this run, as written. */
  logs(): string;
  /** Stops the app and its HTTP server (SIGTERM's sequence), keeping the fakes and the data. */
  stopApp(): Promise<void>;
  /** Stops everything this stack started; fakes and data it was given are left to their owner. */
  close(): Promise<void>;
}

/**
 * @param options.store a database shared by several stacks (an embedded one takes seconds to
 *   start on a busy machine); the stack never closes it. Default: a fresh embedded one.
 */
export async function startCloudStack(options: { env?: Record<string, string>; world?: CloudWorld; store?: Store } = {}): Promise<CloudStack> {
  const world: CloudWorld = options.world ?? {
    graph: await startFakeGraph(),
    openai: await startFakeOpenAI(),
    telegram: await startFakeTelegram({ token: '654321:fake-token-for-the-local-bot-api' }),
    dataDir: mkdtempSync(join(tmpdir(), 'akwaba-cloud-app-')),
  };
  const { graph, openai, telegram, dataDir } = world;
  const config = loadConfig({
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    OWNER_TELEGRAM_CHAT_ID: String(OWNER_CHAT_ID),
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: `${openai.url}/v1`,
    WHATSAPP_MODE: 'cloud',
    WHATSAPP_CLOUD_ACCESS_TOKEN: graph.accessToken,
    WHATSAPP_CLOUD_PHONE_NUMBER_ID: graph.phoneNumberId,
    WHATSAPP_CLOUD_APP_SECRET: APP_SECRET,
    WHATSAPP_CLOUD_VERIFY_TOKEN: VERIFY_TOKEN,
    WHATSAPP_CLOUD_API_ROOT: graph.url,
    DATA_DIR: dataDir,
    REPLY_DEADLINE_MS: '5000',
    LATE_ANSWER_MS: '5000',
    ...options.env,
  });
  const log = capturedLogger('debug');
  const metrics = createMetrics({ defaults: false });
  let app: App | undefined;
  const channel = createWhatsAppCloudChannel({
    ...config.whatsappCloud!,
    logger: log.logger,
    registry: metrics.registry,
    notifyOwner: (key, text) => app?.notifyOwner(key, text),
    retry: { retryDelayMs: 5, pairRetryDelayMs: 10, maxRetryDelayMs: 50 },
  });
  const owner = createTelegramChannel({ token: telegram.token, apiRoot: telegram.url, logger: log.logger, pollingTimeoutSeconds: 1, restartDelayMs: 100 });
  app = await createApp({
    config,
    logger: log.logger,
    channels: [owner, channel],
    store: options.store ? { ...options.store, close: async () => {} } : await createEmbeddedStore({ dataDir: 'memory://' }),
    metrics,
    openai: createOpenAIClient(config.openai!),
    storeCheckIntervalMs: 100,
  });
  const running = app;
  channel.routes(running.http);
  const server = await serveHttp(running.http);
  await running.start();
  const meta = createFakeMeta({ graph, callbackUrl: `${server.origin}${WEBHOOK_PATH}`, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN });
  let stopped: Promise<void> | undefined;
  const stopApp = () =>
    (stopped ??= (async () => {
      await running.stop();
      await server.close();
    })());
  return {
    ...world,
    app: running,
    channel,
    meta,
    metrics,
    origin: server.origin,
    logs: log.text,
    stopApp,
    async close() {
      await stopApp();
      if (options.world) return;
      await Promise.all([graph.close(), openai.close(), telegram.close()]);
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    },
  };
}
