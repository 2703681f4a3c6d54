/**
 * The whole bot with mobile money, in-process, against the fakes: grammY on the fake Bot API,
 * the web chat on the app's own HTTP server, WhatsApp on the fake client, the OpenAI SDK on
 * the fake model, and the fake Wave and CinetPay, whose notifications reach the bot over real
 * HTTP at PUBLIC_URL's paths. The database survives `restart()`, like Supabase would.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createTelegramChannel } from '../../channels/telegram/index.js';
import { createWebChannel } from '../../channels/web/index.js';
import { createWhatsAppChannel } from '../../channels/whatsapp/index.js';
import { createWhatsAppCloudChannel } from '../../channels/whatsapp-cloud/index.js';
import { createApp, type App } from '../../src/app.js';
import type { ChannelAdapter, LinkButton } from '../../src/core/channel.js';
import { loadConfig } from '../../src/infra/config/index.js';
import { createLogger, type Logger } from '../../src/infra/logger.js';
import { createMetrics } from '../../src/infra/metrics.js';
import { createOpenAIClient } from '../../src/model/client.js';
import { paymentProvidersFromConfig, type PaymentTiming } from '../../src/shop/payments/index.js';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import type { Store } from '../../src/store/types.js';
import { FakeWhatsApp } from '../channels/whatsapp/fake-client.js';
import { APP_SECRET, VERIFY_TOKEN, WEBHOOK_PATH } from './cloud-channel.js';
import { startFakeGraph } from './fake-graph.js';
import { createFakeMeta } from './fake-meta.js';
import { startFakeCinetPay, type FakeCinetPay } from './fake-cinetpay.js';
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai.js';
import { startFakeTelegram, type FakeTelegram } from './fake-telegram.js';
import { startFakeWave, type FakeWave } from './fake-wave.js';

export const PUBLIC_URL = 'https://boutique.mode-ivoire.ci';
export const OWNER = 999_000;

/** What the shop sent a customer, on any channel: the words, and the button under them. */
export interface ShopMessage {
  readonly text: string;
  readonly link?: LinkButton;
}

export type ChannelName = 'telegram' | 'web' | 'whatsapp';

export interface PaymentsStack {
  readonly app: App;
  readonly telegram: FakeTelegram;
  readonly openai: FakeOpenAI;
  readonly wave: FakeWave;
  readonly cinetpay: FakeCinetPay;
  readonly whatsapp: FakeWhatsApp;
  readonly store: Store;
  /** The bot's HTTP server (what PUBLIC_URL reaches through the reverse proxy). */
  readonly url: string;
  /**
   * A new customer on a channel: a chat id as the platform writes them (on the web chat, the
   * visitor id the page got from the server, which `says` and `shopMessages` take).
   */
  newChat(channel: ChannelName): Promise<string>;
  /** The customer writes on their channel. */
  says(channel: ChannelName, chatId: string, text: string): Promise<void>;
  /** What the shop sent that chat, in order. */
  shopMessages(channel: ChannelName, chatId: string): Promise<ShopMessage[]>;
  /** Waits (bounded) until the chat got a message matching `test`, and returns all of them. */
  waitFor(channel: ChannelName, chatId: string, test: (message: ShopMessage) => boolean): Promise<ShopMessage[]>;
  ownerTexts(): string[];
  /** Stops the bot; until `start()`, the reverse proxy answers 502 (the bot is down). */
  stop(): Promise<void>;
  /** Starts a new bot on the same database and DATA_DIR. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface PaymentsStackOptions {
  readonly provider: 'wave' | 'cinetpay';
  /** Without a model the catalogue answers (and a guided checkout would take orders). */
  readonly model?: boolean;
  /** WhatsApp Web (a browser, faked) or the official Cloud API (Meta's fakes). Default web. */
  readonly whatsapp?: 'web' | 'cloud';
  readonly timing?: Partial<PaymentTiming>;
  readonly logger?: Logger;
}

export async function startPaymentsStack(options: PaymentsStackOptions): Promise<PaymentsStack> {
  const telegram = await startFakeTelegram({ token: '654321:fake-token-for-the-local-bot-api' });
  const openai = await startFakeOpenAI();
  const wave = await startFakeWave();
  const cinetpay = await startFakeCinetPay();
  const whatsapp = new FakeWhatsApp();
  const graph = options.whatsapp === 'cloud' ? await startFakeGraph() : undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'akwaba-pay-'));
  const real = await createEmbeddedStore({ dataDir: 'memory://' });
  // The bot closes its store when it stops; this database outlives one run of the bot.
  const store: Store = new Proxy(real, {
    get(target, key) {
      if (key === 'close') return async () => undefined;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const provider =
    options.provider === 'wave'
      ? { WAVE_API_KEY: wave.apiKey, WAVE_WEBHOOK_SECRET: wave.webhookSecret, WAVE_API_ROOT: wave.url }
      : { CINETPAY_API_KEY: cinetpay.apiKey, CINETPAY_SITE_ID: cinetpay.siteId, CINETPAY_SECRET_KEY: cinetpay.secretKey, CINETPAY_API_ROOT: cinetpay.url };
  const config = loadConfig({
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    ...(options.model !== false && { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${openai.url}/v1` }),
    OWNER_TELEGRAM_CHAT_ID: String(OWNER),
    DATA_DIR: dataDir,
    REPLY_DEADLINE_MS: '5000',
    LATE_ANSWER_MS: '5000',
    PUBLIC_URL,
    ...provider,
  });

  let app: App | undefined;
  let web: ReturnType<typeof createWebChannel> | undefined;
  const current = (): App => {
    if (!app) throw new Error('payments-stack: the bot is stopped');
    return app;
  };
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve(
      { fetch: (request) => (app ? app.http.fetch(request) : new Response('Bad Gateway', { status: 502 })), port: 0, hostname: '127.0.0.1' },
      () => resolve(started),
    );
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  wave.setWebhookUrl(`${url}/payments/wave/webhook`);
  const meta = graph && createFakeMeta({ graph, callbackUrl: `${url}${WEBHOOK_PATH}`, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN });
  cinetpay.routeNotificationsTo(url);

  async function start(): Promise<void> {
    web = createWebChannel({ logger, shopName: 'Mode Ivoire' });
    const cloud =
      graph &&
      createWhatsAppCloudChannel({
        accessToken: graph.accessToken,
        phoneNumberId: graph.phoneNumberId,
        appSecret: APP_SECRET,
        verifyToken: VERIFY_TOKEN,
        apiRoot: graph.url,
        apiVersion: graph.version,
        logger,
        retry: { retryDelayMs: 5, pairRetryDelayMs: 10, maxRetryDelayMs: 50 },
        restartDelayMs: 50,
      });
    const channels: ChannelAdapter[] = [
      createTelegramChannel({ token: telegram.token, apiRoot: telegram.url, logger, pollingTimeoutSeconds: 2, restartDelayMs: 100 }),
      web,
      cloud ?? createWhatsAppChannel({ dataDir, logger, clientFactory: whatsapp.factory }),
    ];
    const started = await createApp({
      config,
      logger,
      channels,
      store,
      ...(config.openai && { openai: createOpenAIClient(config.openai) }),
      paymentProviders: paymentProvidersFromConfig(config),
      metrics: createMetrics({ defaults: false }),
      storeCheckIntervalMs: 100,
      ...(options.timing && { paymentTiming: options.timing }),
    });
    web.routes(started.http);
    cloud?.routes(started.http);
    await started.start();
    app = started;
  }
  await start();

  const shopMessages = async (channel: ChannelName, chatId: string): Promise<ShopMessage[]> => {
    if (channel === 'telegram') {
      return telegram
        .sent(chatId)
        .filter((call) => call.method === 'sendMessage')
        .map((call) => {
          const button = (call.params.reply_markup as { inline_keyboard?: { text: string; url: string }[][] } | undefined)?.inline_keyboard?.[0]?.[0];
          return { text: String(call.params.text), ...(button && { link: { label: button.text, url: button.url } }) };
        });
    }
    if (channel === 'whatsapp') return (graph ? graph.texts(chatId) : whatsapp.texts(chatId)).map((text) => ({ text }));
    const response = await current().http.request(`/chat/history?visitor=${encodeURIComponent(chatId)}`);
    const history = (await response.json()) as { messages: { from: string; text?: string; link?: LinkButton }[] };
    return history.messages.filter((event) => event.from === 'shop').map((event) => ({ text: event.text ?? '', ...(event.link && { link: event.link }) }));
  };

  let chats = 0;
  const stack: PaymentsStack = {
    get app() {
      return current();
    },
    telegram,
    openai,
    wave,
    cinetpay,
    whatsapp,
    store,
    url,
    async newChat(channel) {
      chats += 1;
      if (channel === 'telegram') return String(70_000 + chats);
      if (channel === 'whatsapp') return graph ? `22507000000${chats}` : `22507000000${chats}@c.us`;
      const response = await current().http.request('/chat/visitors', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      if (response.status !== 201) throw new Error(`web chat gave no visitor id: ${response.status}`);
      return ((await response.json()) as { visitorId: string }).visitorId;
    },
    async says(channel, chatId, text) {
      if (channel === 'telegram') telegram.pushMessage(Number(chatId), text);
      else if (channel === 'whatsapp' && meta) await meta.customerWrites(chatId, text);
      else if (channel === 'whatsapp') whatsapp.customerWrites(chatId, text);
      else {
        const response = await current().http.request('/chat/messages', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ visitorId: chatId, clientMessageId: randomBytes(6).toString('hex'), text }),
        });
        if (response.status !== 202) throw new Error(`web chat refused the message: ${response.status}`);
      }
    },
    shopMessages,
    async waitFor(channel, chatId, test) {
      for (let attempt = 0; attempt < 200; attempt += 1) {
        const messages = await shopMessages(channel, chatId);
        if (messages.some(test)) return messages;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`no such message for ${channel}:${chatId}; got ${JSON.stringify(await shopMessages(channel, chatId))}`);
    },
    ownerTexts: () => telegram.texts(OWNER),
    async stop() {
      const running = current();
      app = undefined;
      await running.stop();
    },
    start,
    async close() {
      if (app) await stack.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await real.close();
      await telegram.close();
      await openai.close();
      await wave.close();
      await cinetpay.close();
      await graph?.close();
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    },
  };
  return stack;
}
