import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTelegramChannel } from '../../channels/telegram/index.js';
import { createOpenAIClient } from '../../src/model/client.js';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/infra/config/index.js';
import { createLogger, type Logger } from '../../src/infra/logger.js';
import { createMetrics } from '../../src/infra/metrics.js';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import { StoreError } from '../../src/store/errors.js';
import type { Store } from '../../src/store/types.js';
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai.js';
import { startFakeTelegram, type FakeTelegram } from './fake-telegram.js';

export const OWNER_CHAT_ID = 999_000;

/** A store that can be switched off, like Supabase during its 2 AM maintenance. */
export interface SwitchableStore extends Store {
  down: boolean;
  readonly real: Store;
}

/** Wraps a store so that, while `down` is true, every call fails as an unreachable database would. */
export function switchable(real: Store): SwitchableStore {
  const guard =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (wrapper.down) throw new StoreError(operation, { code: 'store_unavailable', message: 'connection refused' });
      return call(...args);
    };
  const wrapper: SwitchableStore = {
    down: false,
    real,
    kind: real.kind,
    listProducts: guard('products.list', () => real.listProducts()),
    listZones: guard('zones.list', () => real.listZones()),
    placeOrder: guard('orders.place', (request) => real.placeOrder(request)),
    quoteOrder: guard('orders.quote', (request) => real.quoteOrder(request)),
    listCustomerOrders: guard('orders.customer', (channel, chatId, limit) => real.listCustomerOrders(channel, chatId, limit)),
    findOrder: guard('orders.find', (id) => real.findOrder(id)),
    setOrderStatus: guard('orders.status', (id, status) => real.setOrderStatus(id, status)),
    listRecentOrders: guard('orders.recent', (limit) => real.listRecentOrders(limit)),
    recordEvents: guard('events.record', (events) => real.recordEvents(events)),
    conversationStats: guard('events.stats', (query) => real.conversationStats(query)),
    listRecentConversations: guard('events.recent', (query) => real.listRecentConversations(query)),
    openPayment: guard('payments.open', (payment) => real.openPayment(payment)),
    settlePayment: guard('payments.settle', (id, settlement) => real.settlePayment(id, settlement)),
    schedulePaymentCheck: guard('payments.schedule', (id, at) => real.schedulePaymentCheck(id, at)),
    markPaymentNotified: guard('payments.notified', (id, status) => real.markPaymentNotified(id, status)),
    findPayment: guard('payments.find', (query) => real.findPayment(query)),
    listPayments: guard('payments.list', (query) => real.listPayments(query)),
    paymentTotals: guard('payments.totals', (query) => real.paymentTotals(query)),
    ping: guard('store.ping', () => real.ping()),
    close: () => real.close(),
  };
  return wrapper;
}

/** The whole app in-process (store, catalogue, orders, tools, core, Telegram) against the fakes. */
export interface AppStack {
  readonly app: App;
  readonly telegram: FakeTelegram;
  readonly openai: FakeOpenAI;
  readonly store: SwitchableStore;
  readonly dataDir: string;
  texts(chatId: number): string[];
  waitForTexts(chatId: number, count: number, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

/** How a test wants the app: every field has the ordinary test value by default. */
export interface AppStackOptions {
  /** `false`: no OpenAI key, the bot answers without a model. */
  readonly openai?: boolean;
  /** More variables, read by `loadConfig` like the real environment (they win). */
  readonly env?: Record<string, string>;
  readonly telegramToken?: string;
  /** The only key the fake OpenAI accepts (any key by default). */
  readonly openaiKey?: string;
  /** Where the app logs (silent by default). */
  readonly logger?: Logger;
  /** Wraps the (switchable) embedded store, e.g. to watch its calls. */
  readonly wrapStore?: (store: Store) => Store;
}

/** The one builder of the whole app for tests: fakes, an embedded database, `loadConfig`, `createApp`. */
export async function startAppStack(options: AppStackOptions = {}): Promise<AppStack> {
  const telegram = await startFakeTelegram({ token: options.telegramToken ?? '654321:fake-token-for-the-local-bot-api' });
  const openai = await startFakeOpenAI(options.openaiKey ? { apiKey: options.openaiKey } : {});
  const dataDir = mkdtempSync(join(tmpdir(), 'akwaba-app-'));
  const store = switchable(await createEmbeddedStore({ dataDir: 'memory://' }));
  const config = loadConfig({
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    ...(options.openai !== false && { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${openai.url}/v1` }),
    OWNER_TELEGRAM_CHAT_ID: String(OWNER_CHAT_ID),
    DATA_DIR: dataDir,
    REPLY_DEADLINE_MS: '5000',
    LATE_ANSWER_MS: '5000',
    ...options.env,
  });
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const channel = createTelegramChannel({
    token: telegram.token,
    apiRoot: telegram.url,
    logger,
    pollingTimeoutSeconds: 2,
    restartDelayMs: 100,
  });
  const app = await createApp({
    config,
    logger,
    channels: [channel],
    store: options.wrapStore ? options.wrapStore(store) : store,
    ...(config.openai && { openai: createOpenAIClient(config.openai) }),
    metrics: createMetrics({ defaults: false }),
    storeCheckIntervalMs: 100,
  });
  await app.start();
  const texts = (chatId: number) => telegram.texts(chatId);
  return {
    app,
    telegram,
    openai,
    store,
    dataDir,
    texts,
    waitForTexts: (chatId, count, timeoutMs) => telegram.waitForTexts(chatId, count, timeoutMs),
    async close() {
      await app.stop();
      await telegram.close();
      await openai.close();
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    },
  };
}
