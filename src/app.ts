import { join } from 'node:path';
import type OpenAI from 'openai';
import type { Hono } from 'hono';
import { guardAbuse } from './abuse/guard.js';
import { openBlocklist, type Blocklist } from './abuse/blocklist.js';
import { addOwnerPages, type OwnerAuth } from './admin/index.js';
import { createHandoff, type Handoff } from './handoff/index.js';
import { composeObservers, createDailySummary, createRecorder, type Recorder } from './records/index.js';
import type { Config } from './infra/config/index.js';
import { createDeliveries, type Delivery } from './durable/deliveries.js';
import { createFileQueue, moveLegacyQueues } from './durable/queue.js';
import { createEngine, type Engine } from './core/engine.js';
import { openJournal } from './durable/journal.js';
import { createFileHistoryStore } from './durable/history.js';
import { createHttpApp, type HealthReport } from './infra/http.js';
import type { Health } from './core/channel.js';
import type { Logger } from './infra/logger.js';
import { createMetrics, type Metrics } from './infra/metrics.js';
import { createOpenAIResponder } from './model/openai.js';
import { shopSystemPrompt } from './shop/prompt.js';
import type { Responder } from './core/responder.js';
import { createModelGate, type ModelGate } from './model/gate.js';
import { withStoreTimeouts } from './store/timeouts.js';
import { createCatalogue, type Catalogue } from './shop/catalogue.js';
import {
  CHECKOUTS_KEPT_MS,
  createCheckout,
  createFileCheckoutStore,
  createOrderUpdates,
  createShopResponder,
  keepCheckoutsTidy,
  lastResortAnswer,
  withCheckout,
  type Checkout,
  type ShopAnswerOptions,
} from './shop/checkout/index.js';
import { fallbackMessageOf, loadShopConfig, type ShopConfig } from './shop/config.js';
import { orderEvents } from './shop/order-events.js';
import { ownerNotices } from './shop/owner.js';
import { createOrderDesk, type OrderDesk } from './shop/orders.js';
import { createShopTools } from './shop/tools.js';
import { addPaymentRoutes, createShopPayments, type PaymentProvider, type Payments, type PaymentTiming } from './shop/payments/index.js';
import type { OrderRequest, Store } from './store/types.js';
import { frenchTexts } from './core/texts.js';
import type { ChannelAdapter } from './core/channel.js';
import { watchStore } from './store/health.js';
import type { Cluster } from './cluster/index.js';
import { createVoice } from './voice/index.js';

/** Everything akwaba runs, wired together; `main.ts` adds the process around it. */
export interface App {
  readonly engine: Engine;
  readonly store: Store;
  readonly orders: OrderDesk;
  readonly catalogue: Catalogue;
  readonly shop: ShopConfig;
  readonly metrics: Metrics;
  readonly http: Hono;
  readonly responder: Responder;
  readonly channels: readonly ChannelAdapter[];
  /** Customers the owner blocked (`DATA_DIR/blocked.json`, or Postgres in shared mode); their messages are ignored. */
  readonly blocklist: Blocklist;
  /** Writes every message and reply to the store (the dashboard's figures). */
  readonly recorder: Recorder;
  /** Conversations handed to a person of the shop. */
  readonly handoff: Handoff;
  /** The door of the owner's pages, for pages added by `main.ts`. */
  readonly ownerAuth: OwnerAuth;
  /** Mobile money (Wave, CinetPay); `undefined` when none is configured: cash on delivery. */
  readonly payments: Payments | undefined;
  /** The guided checkout: purchases under way, with or without a model. */
  readonly checkout: Checkout;
  health(): HealthReport;
  /** Tells the owner on Telegram (durably, retried); the same key is told once. */
  notifyOwner(key: string, text: string): Promise<void>;
  /** Starts receiving messages on every channel. */
  start(): Promise<void>;
  /** Stops taking messages, finishes the replies in flight, then releases everything. */
  stop(): Promise<void>;
}

/** Clients the start-up file builds (or a test provides). */
export interface AppDependencies {
  readonly config: Config;
  readonly logger: Logger;
  /** The channels to run; they may be created before the app (they only need a logger). */
  readonly channels: readonly ChannelAdapter[];
  readonly metrics?: Metrics;
  /** The database the configuration names (`createStore`), built by the start-up file. */
  readonly store: Store;
  /** The model's client when `OPENAI_API_KEY` is set (`createOpenAIClient`); without it the catalogue answers. */
  readonly openai?: OpenAI;
  /** How often the database is pinged for `/healthz` and recovery (default 15 s). */
  readonly storeCheckIntervalMs?: number;
  /**
   * The mobile-money providers the configuration names (`paymentProvidersFromConfig`), built by
   * the start-up file; none: every order is paid on delivery.
   */
  readonly paymentProviders?: readonly PaymentProvider[];
  /** Replaces the payments' delays (tests: checks and retries in milliseconds, not minutes). */
  readonly paymentTiming?: Partial<PaymentTiming>;
  /**
   * Shared mode (`DATABASE_URL`, `createCluster`): the journal and the conversations live in
   * Postgres and the chats are shared out between the instances. Without it, files in `DATA_DIR`.
   */
  readonly cluster?: Cluster;
}

/**
 * Builds the app: shop, store, catalogue, orders, responder, core and HTTP endpoint.
 *
 * @example
 * const app = await createApp({ config, logger, channels: [createTelegramChannel({ token, logger })] });
 * await app.start();
 */
export async function createApp(dependencies: AppDependencies): Promise<App> {
  const { config, logger, channels } = dependencies;
  const shop = loadShopConfig(config.shopConfigPath ?? undefined);
  const metrics = dependencies.metrics ?? createMetrics();
  // A hung database fails fast instead of hanging replies, orders and health checks.
  const store = withStoreTimeouts(dependencies.store, { timeoutMs: config.storeTimeoutMs });
  const blocklist = dependencies.cluster?.blocklist ?? (await openBlocklist(join(config.dataDir, 'blocked.json')));
  const storeHealth = watchStore(store, logger, { intervalMs: dependencies.storeCheckIntervalMs });
  const catalogue = createCatalogue({ store, logger, cacheFile: join(config.dataDir, 'catalogue.json') });
  await catalogue.refresh();

  const channelOf = (name: string) => channels.find((channel) => channel.name === name);
  await moveLegacyQueues(config.dataDir);
  const { cluster } = dependencies;
  const deliveries = createDeliveries({
    queue: cluster?.queue<Delivery>('deliveries') ?? createFileQueue<Delivery>(join(config.dataDir, 'queues', 'deliveries')),
    channelOf,
    sayToCustomer: (channel, chatId, text, link) => engine.say(channel, chatId, text, 'notice', link),
    logger,
  });
  const owner = config.ownerTelegramChatId ? { channel: 'telegram', chatId: config.ownerTelegramChatId } : undefined;
  const tellOwner = ownerNotices({ deliveries, owner, logger });
  const payments = createShopPayments({
    providers: dependencies.paymentProviders ?? [],
    dataDir: config.dataDir,
    store,
    deliveries,
    notifyOwner: tellOwner,
    shopName: shop.name,
    logger,
    ...(dependencies.paymentTiming && { timing: dependencies.paymentTiming }),
  });
  // The embedded database blocks this thread while it writes: smaller batches (~5 ms each, not ~30).
  const recorder = createRecorder({ store, logger, spillFile: join(config.dataDir, 'records-waiting.json'), batchSize: store.kind === 'embedded' ? 50 : 200 });
  const say = (channel: string, chatId: string, text: string, kind: 'human' | 'handoff'): Promise<boolean> => {
    const target = channelOf(channel);
    return target ? engine.say(target, chatId, text, kind) : Promise.resolve(false);
  };
  const handoff = createHandoff({ dataDir: config.dataDir, notifyOwner: tellOwner, say, logger, ...(cluster && { state: cluster.handoffs }) });
  const dailySummary = createDailySummary({ store, notifyOwner: tellOwner, shopName: shop.name, logger, withPayments: payments !== undefined });
  const orders = createOrderDesk({
    store,
    queue: cluster?.queue<OrderRequest>('orders') ?? createFileQueue<OrderRequest>(join(config.dataDir, 'queues', 'orders')),
    logger,
    events: orderEvents({ notifyOwner: tellOwner, deliveries, ...(payments && { payments }) }),
  });

  const gate: ModelGate | undefined = config.openai
    ? createModelGate({
        maxConcurrency: config.modelConcurrency,
        failureThreshold: config.modelBreakerFailures,
        cooldownMs: config.modelBreakerCooldownMs,
        registry: metrics.registry,
        logger,
        description: `openai ${config.openai.model}`,
      })
    : undefined;
  const checkout = createCheckout({
    checkouts: cluster?.checkouts ?? createFileCheckoutStore(join(config.dataDir, 'checkouts')),
    shop,
    store,
    orders,
    catalogue,
    logger,
    expireAfterMs: config.checkoutExpireMs,
  });
  const sales: ShopAnswerOptions = { checkout, catalogue, shop, ...(payments && { payments }) };
  const responder = createResponder(config, dependencies.openai, shop, catalogue, sales, gate);
  // Every message is on disk before its channel acknowledges it; replies are noted there too.
  const journal = cluster?.journal ?? (await openJournal(join(config.dataDir, 'journal'), { logger }));
  const engine = createEngine({
    responder,
    history: cluster?.history ?? createFileHistoryStore(join(config.dataDir, 'conversations'), { logger }),
    metrics,
    logger,
    texts: frenchTexts(fallbackMessageOf(shop, config.fallbackMessage)),
    deadlines: { replyMs: config.replyDeadlineMs, lateAnswerMs: config.lateAnswerMs, staleAfterMs: config.journalMaxAgeMs },
    // The model failed for good: the checkout carries a purchase on, the catalogue answers what it knows.
    lastResort: lastResortAnswer(sales),
    // The recorder first: a request for a person is recorded before the bot goes quiet.
    observer: composeObservers([recorder.observer, handoff.observer], logger),
    isHandedOff: handoff.isHandedOff,
    journal,
    read: createVoice({ config, shop, catalogue, metrics, logger, openai: dependencies.openai, onHeard: recorder.recordVoice }),
  });

  const tidyCheckouts = keepCheckoutsTidy(checkout, { keepMs: CHECKOUTS_KEPT_MS, logger });
  let stopping = false;
  const modelHealth = (): Health =>
    gate?.status() ?? { state: 'off', detail: 'OPENAI_API_KEY is not set: answering from the catalogue' };
  const receive = guardAbuse(engine.receive, {
    logger,
    say: engine.say,
    blocklist,
    maxMessages: config.customerMaxMessagesPerMinute,
    windowMs: 60_000,
    maxChars: config.customerMaxMessageChars,
    registry: metrics.registry,
  });
  const health = (): HealthReport => ({
    serving: !stopping && channels.some((channel) => channel.status().state === 'ready'),
    channels: Object.fromEntries(channels.map((channel) => [channel.name, channel.status()])),
    model: modelHealth(),
    store: storeHealth.status(),
    instance: cluster?.health() ?? { mode: 'single' },
  });
  const http = createHttpApp({ metrics, health, metricsAccess: { token: config.metricsToken, trustProxy: config.trustProxy } });
  const orderUpdates = createOrderUpdates({ store, send: (key, delivery) => deliveries.send(key, { ...delivery, customer: true }), logger });
  const ownerAuth = addOwnerPages(http, {
    adminToken: config.adminToken,
    trustProxy: config.trustProxy,
    store,
    handoff,
    blocklist,
    shopName: shop.name,
    logger,
    ...(payments && { payments }),
    checkouts: { list: () => checkout.list(), catalogue, abandonedAfterMs: config.checkoutAbandonedMs },
    onOrderStatus: orderUpdates.statusChanged,
  });
  if (payments) addPaymentRoutes(http, { payments, logger });

  return {
    engine,
    store,
    orders,
    catalogue,
    shop,
    metrics,
    http,
    responder,
    channels,
    blocklist,
    recorder,
    handoff,
    ownerAuth,
    payments,
    checkout,
    health,
    notifyOwner: tellOwner,
    async start() {
      catalogue.start();
      storeHealth.start(() => {
        void catalogue.refresh();
        void orders.flush();
        void recorder.flush();
        void payments?.poll();
      });
      orders.start();
      deliveries.start();
      payments?.start();
      await recorder.start();
      dailySummary.start();
      tidyCheckouts.start();
      // What the last run left unanswered goes first, before the channels bring newer messages.
      engine.recover(channelOf);
      // Shared mode: the chats routed here and those of dead instances, from now on.
      cluster?.start(engine, channelOf);
      for (const channel of channels) {
        // Shared mode: one instance polls Telegram, one holds the WhatsApp Web session; any takes webhooks.
        const alone = channel.name === 'whatsapp' ? 'whatsapp-web' : channel.name === 'telegram' && !config.telegram?.webhook ? 'telegram-polling' : undefined;
        if (cluster && alone) cluster.startAlone(alone, () => channel.start(receive));
        else await channel.start(receive);
      }
    },
    async stop() {
      stopping = true;
      cluster?.stopTakingOver();
      await Promise.allSettled(channels.map((channel) => channel.stop()));
      await engine.drain();
      if (cluster) {
        // Chats routed here while it drained were taken too: finish them, then take nothing more.
        cluster.stopAdopting();
        await engine.drain();
      }
      dailySummary.stop();
      tidyCheckouts.stop();
      await recorder.stop();
      await Promise.allSettled(channels.map((channel) => channel.close?.()));
      await journal.close();
      catalogue.stop();
      storeHealth.stop();
      orders.stop();
      deliveries.stop();
      payments?.stop();
      gate?.dispose();
      await store.close().catch(() => undefined);
      // Last: releasing the lock hands what is still open to the other instances.
      await cluster?.close();
    },
  };
}

function createResponder(config: Config, client: OpenAI | undefined, shop: ShopConfig, catalogue: Catalogue, sales: ShopAnswerOptions, gate: ModelGate | undefined): Responder {
  if (!config.openai || !client) return createShopResponder(sales);
  const model = createOpenAIResponder({
    client,
    model: config.openai.model,
    systemPrompt: shopSystemPrompt(shop),
    tools: createShopTools({ catalogue, checkout: sales.checkout, ...(sales.payments && { payments: sales.payments }) }),
    gate,
  });
  // The checkout's own buttons are answered by the checkout, model or not.
  return withCheckout(model, sales);
}
