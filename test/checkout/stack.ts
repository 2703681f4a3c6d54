/**
 * The whole app (store, catalogue, orders, checkout, core, channels) against the fakes, for
 * the guided checkout's tests: Telegram always (the real grammY on the fake Bot API), the web
 * chat and WhatsApp (whatsapp-web.js's fake client) on demand, the model only when asked.
 * `restart()` stops the app and starts a new one on the same data folder and database, as a
 * redeploy would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createTelegramChannel } from '../../channels/telegram/index.js';
import { createWebChannel, type WebChannel } from '../../channels/web/index.js';
import { createWhatsAppChannel } from '../../channels/whatsapp/index.js';
import { createApp, type App } from '../../src/app.js';
import type { ChannelAdapter } from '../../src/core/channel.js';
import { loadConfig } from '../../src/infra/config/index.js';
import { createOpenAIClient } from '../../src/model/client.js';
import { createLogger } from '../../src/infra/logger.js';
import { createMetrics } from '../../src/infra/metrics.js';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import { OWNER_CHAT_ID, switchable, type SwitchableStore } from '../support/app-stack.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { FakeWhatsApp } from '../channels/whatsapp/fake-client.js';

export { OWNER_CHAT_ID };
export const ADMIN_TOKEN = 'admin-token-for-the-checkout-tests';

/** What the checkout tests drive. */
export interface ShopStack {
  readonly app: App;
  readonly telegram: FakeTelegram;
  readonly openai: FakeOpenAI;
  readonly store: SwitchableStore;
  readonly dataDir: string;
  /** The web chat, when started with `web`. */
  readonly web: WebChannel | undefined;
  /** WhatsApp Web's fake, when started with `whatsapp`. */
  readonly whatsapp: FakeWhatsApp | undefined;
  /** The app's HTTP server (`/`, `/chat/*`, `/admin`), when started with `serve`. */
  readonly url: string | undefined;
  /** Stops the app (replies in flight finish) and starts a new one on the same data and database. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link startShop}. */
export interface ShopOptions {
  /** Configure the model (the fake OpenAI). Default false: no key, the guided checkout alone. */
  readonly openai?: boolean;
  readonly web?: boolean;
  readonly whatsapp?: boolean;
  /** Serve the app's HTTP routes on 127.0.0.1 (browser tests). */
  readonly serve?: boolean;
  readonly env?: Record<string, string>;
}

/** Starts the stack; `close()` it in `afterEach`/`afterAll`. */
export async function startShop(options: ShopOptions = {}): Promise<ShopStack> {
  const telegram = await startFakeTelegram({ token: '654321:fake-token-for-the-local-bot-api' });
  const openai = await startFakeOpenAI();
  const dataDir = mkdtempSync(join(tmpdir(), 'akwaba-checkout-'));
  const real = await createEmbeddedStore({ dataDir: 'memory://' });
  // The database outlives the app, as Supabase outlives a redeploy: the app's stop() must not close it.
  const store = switchable(real);
  const shared: SwitchableStore = Object.assign(store, { close: async () => undefined });
  const whatsapp = options.whatsapp ? new FakeWhatsApp() : undefined;
  const logger = createLogger({ level: 'silent' });
  const config = loadConfig({
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    ...(options.openai && { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${openai.url}/v1` }),
    OWNER_TELEGRAM_CHAT_ID: String(OWNER_CHAT_ID),
    ADMIN_TOKEN,
    DATA_DIR: dataDir,
    REPLY_DEADLINE_MS: '5000',
    LATE_ANSWER_MS: '5000',
    ...options.env,
  });

  let server: ServerType | undefined;
  let url: string | undefined;
  let web: WebChannel | undefined;
  let app: App;

  async function boot(): Promise<void> {
    const channels: ChannelAdapter[] = [
      createTelegramChannel({ token: telegram.token, apiRoot: telegram.url, logger, pollingTimeoutSeconds: 2, restartDelayMs: 100 }),
    ];
    web = options.web ? createWebChannel({ logger, shopName: 'Mode Ivoire', dataDir }) : undefined;
    if (web) channels.push(web);
    if (whatsapp) {
      channels.push(createWhatsAppChannel({ dataDir, logger, clientFactory: whatsapp.factory, typingRefreshMs: 1000 }));
    }
    app = await createApp({
      config,
      logger,
      channels,
      store: shared,
      ...(config.openai && { openai: createOpenAIClient(config.openai) }),
      metrics: createMetrics({ defaults: false }),
      storeCheckIntervalMs: 100,
    });
    web?.routes(app.http);
    if (options.serve) {
      const running = app;
      server = await new Promise<ServerType>((resolve) => {
        const started = serve({ fetch: running.http.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
      });
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
    await app.start();
  }

  async function halt(): Promise<void> {
    await app.stop();
    if (server) {
      const closing = server;
      await new Promise<void>((resolve) => {
        closing.close(() => resolve());
        if ('closeAllConnections' in closing) closing.closeAllConnections();
      });
      server = undefined;
    }
  }

  await boot();
  return {
    get app() {
      return app;
    },
    telegram,
    openai,
    store,
    dataDir,
    get web() {
      return web;
    },
    whatsapp,
    get url() {
      return url;
    },
    async restart() {
      await halt();
      await boot();
    },
    async close() {
      await halt();
      await real.close();
      await telegram.close();
      await openai.close();
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    },
  };
}

/** The stock left of one size of a product. */
export async function stockOf(stack: ShopStack, slug: string, size: string): Promise<number> {
  const product = (await stack.store.real.listProducts()).find((candidate) => candidate.slug === slug)!;
  return product.sizes.find((entry) => entry.size === size)!.stock;
}
