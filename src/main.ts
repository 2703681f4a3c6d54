import { serve, type ServerType } from '@hono/node-server';
import { createTelegramChannel } from '../channels/telegram/index.js';
import { createWebChannel, type ChatEvent } from '../channels/web/index.js';
import type { WhatsAppChannel } from '../channels/whatsapp/index.js';
import { createWhatsAppCloudChannel, type WhatsAppCloudChannel } from '../channels/whatsapp-cloud/index.js';
import { addWhatsAppQrPage, printQrInTerminal } from './admin/whatsapp-qr.js';
import { secureDataDir } from './infra/data-dir.js';
import { createApp, type App } from './app.js';
import { createOpenAIClient } from './model/client.js';
import { createStore } from './store/connect.js';
import { paymentProvidersFromConfig } from './shop/payments/index.js';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './infra/config/index.js';
import { createLogger, displayUrl, type Logger } from './infra/logger.js';
import { createMetrics } from './infra/metrics.js';
import { loadShopConfig } from './shop/config.js';
import type { ChannelAdapter } from './core/channel.js';

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
  // Conversations, the journal and the database hold customers' names and numbers: this user only.
  process.umask(0o077);
  const repaired = await secureDataDir(config.dataDir);
  if (repaired.tightened > 0) logger.warn({ dataDir: config.dataDir, ...repaired }, 'DATA_DIR was readable by other users: made private (0700/0600)');
  // Made here rather than in the app: channels built before it put their counters there too.
  const metrics = createMetrics();
  // Shared mode: the instances' common state and the shop's data on one Postgres, no embedded database.
  // Loaded only in shared mode (pg-boss, the pg pool): one instance never needs them.
  const cluster = config.cluster
    ? await (await import('./cluster/index.js')).createCluster({
        databaseUrl: config.cluster.databaseUrl,
        logger,
        metrics,
        onLost: () => {
          logger.flush();
          process.exit(70);
        },
      })
    : undefined;
  // Shared mode: one visitor secret and chat log for all instances; replies reach the page wherever it is connected.
  const sharedWebChat = cluster && (await cluster.webChat<ChatEvent>());
  // The web chat needs no account or token: a fresh install always has a channel to talk on.
  const web = createWebChannel({
    logger,
    shopName: loadShopConfig(config.shopConfigPath ?? undefined).name,
    allowedOrigins: config.webChat.allowedOrigins,
    dataDir: config.dataDir,
    trustProxy: config.trustProxy,
    // One setting per limit on every channel: the guard answers long or fast messages; the page follows it.
    maxMessageChars: config.customerMaxMessageChars,
    streamsPerAddress: config.webChat.streamsPerAddress,
    visitorsPerAddressPerHour: config.webChat.visitorsPerAddressPerHour,
    messagesPerAddressPerMinute: config.webChat.messagesPerAddressPerMinute,
    ...sharedWebChat,
  });
  const channels: ChannelAdapter[] = [web];
  const telegram = config.telegram
    ? createTelegramChannel({
        token: config.telegram.botToken,
        apiRoot: config.telegram.apiRoot,
        allowGroups: config.telegram.allowGroups,
        ...(config.telegram.webhook && { webhook: config.telegram.webhook }),
        logger,
      })
    : undefined;
  if (telegram) channels.push(telegram);
  let app: App | undefined;
  let whatsapp: WhatsAppChannel | undefined;
  if (config.whatsapp) {
    // Loaded only when enabled: whatsapp-web.js and Puppeteer cost a Telegram-only bot memory and start-up time.
    const { createWhatsAppChannel } = await import('../channels/whatsapp/index.js');
    whatsapp = createWhatsAppChannel({
      dataDir: config.dataDir,
      chromiumPath: config.whatsapp.chromiumPath,
      allowGroups: config.whatsapp.allowGroups,
      browserRestartHours: config.whatsapp.browserRestartHours,
      logger,
      onQr: (qr) => {
        if (process.stdout.isTTY) void printQrInTerminal(qr, (text) => process.stdout.write(text));
      },
      onSessionLost: (reason) => {
        void app?.notifyOwner(
          `whatsapp-session-lost-${Date.now()}`,
          `⚠️ WhatsApp est déconnecté (${reason}). Scannez le nouveau code QR : page /admin/whatsapp du bot, ou son terminal.`,
        );
      },
    });
    channels.push(whatsapp);
  }
  let whatsappCloud: WhatsAppCloudChannel | undefined;
  if (config.whatsappCloud) {
    whatsappCloud = createWhatsAppCloudChannel({
      ...config.whatsappCloud,
      logger,
      registry: metrics.registry,
      notifyOwner: (key, text) => app?.notifyOwner(key, text),
    });
    channels.push(whatsappCloud);
  }
  if (config.ownerTelegramChatId && !config.telegram) {
    logger.warn('OWNER_TELEGRAM_CHAT_ID is set but TELEGRAM_BOT_TOKEN is not: owner notices wait until Telegram is configured');
  }

  const store = cluster && !config.supabase ? cluster.store : await createStore(config, logger);
  const openai = config.openai ? createOpenAIClient(config.openai) : undefined;
  const paymentProviders = paymentProvidersFromConfig(config);
  app = await createApp({ config, logger, channels, store, metrics, ...(openai && { openai }), paymentProviders, ...(cluster && { cluster }) });
  const running = app;
  web.routes(running.http);
  telegram?.routes(running.http);
  whatsappCloud?.routes(running.http);
  if (whatsapp) {
    const channel = whatsapp;
    addWhatsAppQrPage(running.http, { auth: running.ownerAuth, qr: () => channel.qr(), status: () => channel.status() });
  }
  // The embedded database unpacks its files world-readable whatever the umask: closed again here.
  await secureDataDir(config.dataDir);
  const server = await listen(running.http.fetch, config.httpPort);
  await running.start();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.httpPort;
  logger.info(
    {
      channels: channels.map((channel) => channel.name),
      model: running.responder.description,
      store: running.store.kind === 'supabase' ? `supabase at ${displayUrl(config.supabase?.url ?? '')}` : running.store.kind === 'postgres' ? `postgres at ${displayUrl(config.cluster?.databaseUrl ?? '')}` : `embedded database in ${config.dataDir}`,
      instance: cluster ? `shared mode, instance ${cluster.instance.name} (#${cluster.instance.id})` : 'single',
      shop: running.shop.name,
      payments: paymentProviders.length > 0 ? paymentProviders.map((provider) => provider.name) : 'cash on delivery',
      http: `http://localhost:${port}`,
    },
    `akwaba is running for ${running.shop.name}: ${channels.map((channel) => channel.name).join(', ')}; model ${running.responder.description}; ${running.store.kind} database; payments ${paymentProviders.map((provider) => provider.name).join(' + ') || 'on delivery'}`,
  );
  logger.info({ url: `http://localhost:${port}` }, `Ouvrez http://localhost:${port} pour discuter avec la boutique`);

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: no new messages, finishing the replies in flight');
    const giveUp = setTimeout(() => {
      logger.warn('replies still in flight after the deadline; exiting anyway');
      process.exit(0);
    }, config.replyDeadlineMs + 5000);
    giveUp.unref();
    await running.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
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
