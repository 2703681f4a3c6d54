import { Bot, GrammyError, type Transformer } from 'grammy';
import { autoRetry } from '@grammyjs/auto-retry';
import type { Hono } from 'hono';
import type { Logger } from '../../src/infra/logger.js';
import type { ChannelAdapter, Health, LinkButton, MessageHandler, SendOptions, SendTextOptions } from '../../src/core/channel.js';
import { sleep } from '../../src/core/timing.js';
import { downloadTelegramMedia } from './media.js';
import { inlineKeyboard } from './keyboard.js';
import { parseTelegramUpdate } from './parse.js';
import { splitText } from '../shared/split-text.js';
import { createWebhookRoute } from './webhook.js';

export { parseTelegramUpdate } from './parse.js';
export { SECRET_HEADER } from './webhook.js';
export { TELEGRAM_FILE_LIMIT_BYTES } from './media.js';

/** How to reach Telegram. */
export interface TelegramChannelOptions {
  /** The token from @BotFather. */
  readonly token: string;
  /** Bot API server; a self-hosted one, or a fake in tests. Default `https://api.telegram.org`. */
  readonly apiRoot?: string;
  /** Answer in group chats when the bot is mentioned or replied to. Default false. */
  readonly allowGroups?: boolean;
  readonly logger: Logger;
  /** Long-polling timeout in seconds (Telegram holds `getUpdates` this long). Default 30. */
  readonly pollingTimeoutSeconds?: number;
  /** How long to wait before trying again when Telegram cannot be reached. Default 5000. */
  readonly restartDelayMs?: number;
  /**
   * Receive by webhook instead of long polling: Telegram POSTs updates to `url` (HTTPS, behind
   * the owner's reverse proxy), which must reach {@link TelegramChannel.routes} at the same path.
   */
  readonly webhook?: TelegramWebhookOptions;
  /** Downloads voice notes from the Bot API's file URL. Default: the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch;
}

/** Webhook mode. */
export interface TelegramWebhookOptions {
  /** The public URL registered with `setWebhook`, e.g. `https://shop.example/telegram/<secret-path>`. */
  readonly url: string;
  /** Sent by Telegram in `X-Telegram-Bot-Api-Secret-Token`; any request without it is refused (401). */
  readonly secret: string;
  /** The longest a webhook request is held while its update is journalled. Default 5000. */
  readonly timeoutMs?: number;
}

/** The Telegram channel; in webhook mode its route goes on the bot's HTTP app. */
export interface TelegramChannel extends ChannelAdapter {
  sendLink(chatId: string, text: string, link: LinkButton, options?: SendOptions): Promise<void>;
  /** Adds the webhook route (webhook mode only; nothing otherwise). */
  routes(app: Hono): void;
}

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

const MESSAGE_LIMIT = 4096;
/** grammY types its signal with the `abort-controller` polyfill's type; Node's own is the same at run time. */
type GrammySignal = Parameters<Bot['api']['sendMessage']>[3];
const signalOf = (options: SendOptions | undefined) => options?.signal as GrammySignal;
const CAPTION_LIMIT = 1024;

/**
 * The Telegram channel, on grammY, by long polling or by webhook. Each update is parsed and
 * handed to the core, which journals it; the update is acknowledged to Telegram (the next
 * `getUpdates` offset, or the webhook's 200) only once that write is done, never after the
 * answer, so one slow reply never holds up other customers. Telegram's own 429s are retried
 * (`@grammyjs/auto-retry`), except for typing indicators, which are worthless late.
 *
 * @example
 * const telegram = createTelegramChannel({ token, logger });
 * await telegram.start(engine.receive);
 * @example
 * const telegram = createTelegramChannel({ token, logger, webhook: { url, secret } });
 * telegram.routes(app.http);
 * await telegram.start(engine.receive);
 */
export function createTelegramChannel(options: TelegramChannelOptions): TelegramChannel {
  const { logger } = options;
  const log = logger.child({ channel: 'telegram' });
  const apiRoot = options.apiRoot ?? 'https://api.telegram.org';
  const bot = new Bot(options.token, { client: { apiRoot, timeoutSeconds: 60 } });
  const retry = autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 });
  const retryUnlessTyping: Transformer = (previous, method, payload, signal) =>
    method === 'sendChatAction' ? previous(method, payload, signal) : retry(previous, method, payload, signal);
  bot.api.config.use(retryUnlessTyping);
  // A batch of up to 100 updates is handled one update at a time: stamp them all when the
  // batch arrived, so the deadline (and the metrics) count from real receipt, not from the
  // moment the middleware got to the last one.
  let batchReceivedAt: number | undefined;
  /** Polled messages being journalled: the next `getUpdates` (which acknowledges them) waits for these. */
  const taking = new Set<Promise<void>>();
  const stampAndAcknowledge: Transformer = async (previous, method, payload, signal) => {
    if (method === 'getUpdates') await Promise.all(taking);
    const result = await previous(method, payload, signal);
    if (method === 'getUpdates') batchReceivedAt = Date.now();
    return result;
  };
  bot.api.config.use(stampAndAcknowledge);

  let state: Health = { state: 'stopped' };
  let stopping = false;
  let stopped = new AbortController();
  let running: Promise<void> | undefined;
  let onMessage: MessageHandler | undefined;
  /** Webhook requests whose update is being taken: `stop()` lets them finish. */
  const inFlight = new Set<Promise<void>>();

  bot.use(async (ctx) => {
    // A pressed button spins until its query is answered: answer at once, whatever follows.
    const query = ctx.callbackQuery;
    if (query) {
      void ctx.api.answerCallbackQuery(query.id).catch((error: unknown) => log.debug({ err: error }, 'telegram: button press not acknowledged'));
    }
    const message = parseTelegramUpdate(ctx.update, {
      allowGroups: options.allowGroups,
      bot: { id: ctx.me.id, username: ctx.me.username },
      receivedAt: options.webhook ? Date.now() : (batchReceivedAt ?? Date.now()),
    });
    if (!message) return;
    const taken = Promise.resolve(onMessage?.(message, channel));
    if (options.webhook) {
      await taken; // the webhook's 200 is the acknowledgement: only once the message is on disk
      return;
    }
    // Polling: the whole batch is journalled at once (one shared fsync, typing goes out without
    // queueing behind 99 disk writes); the next getUpdates, which acknowledges it, waits above.
    taking.add(taken);
    void taken.finally(() => taking.delete(taken));
  });
  bot.catch((error) => log.error({ err: error.error, updateId: error.ctx.update.update_id }, 'update not handled'));

  const chatIdOf = (chatId: string): number | string => (/^-?\d+$/.test(chatId) ? Number(chatId) : chatId);

  const channel: TelegramChannel = {
    name: 'telegram',

    async sendText(chatId: string, text: string, sendOptions?: SendTextOptions) {
      const pieces = splitText(text, MESSAGE_LIMIT);
      const keyboard = inlineKeyboard(sendOptions?.buttons ?? []);
      for (const [index, piece] of pieces.entries()) {
        // The buttons go under the last piece, where the question is.
        const markup = keyboard && index === pieces.length - 1 ? { reply_markup: keyboard } : undefined;
        await bot.api.sendMessage(chatIdOf(chatId), piece, markup, signalOf(sendOptions));
      }
    },

    async sendTyping(chatId: string, sendOptions?: SendOptions) {
      await bot.api.sendChatAction(chatIdOf(chatId), 'typing', undefined, signalOf(sendOptions));
    },

    async sendPhoto(chatId: string, photoUrl: string, caption: string, sendOptions?: SendOptions) {
      const short = caption.length > CAPTION_LIMIT ? `${caption.slice(0, CAPTION_LIMIT - 1)}…` : caption;
      await bot.api.sendPhoto(chatIdOf(chatId), photoUrl, { caption: short }, signalOf(sendOptions));
    },

    downloadMedia(message, mediaOptions) {
      return downloadTelegramMedia(message, mediaOptions, {
        getFile: (fileId, signal) => bot.api.getFile(fileId, signal as GrammySignal),
        fileUrl: (filePath) => `${apiRoot}/file/bot${options.token}/${filePath}`,
        fetch: options.fetch ?? globalThis.fetch,
      });
    },

    async sendLink(chatId: string, text: string, link: LinkButton, sendOptions?: SendOptions) {
      const pieces = splitText(text, MESSAGE_LIMIT);
      const last = pieces.pop() ?? '';
      for (const piece of pieces) await bot.api.sendMessage(chatIdOf(chatId), piece, undefined, signalOf(sendOptions));
      // A URL button under the last piece (https://core.telegram.org/bots/api#inlinekeyboardbutton).
      const reply_markup = { inline_keyboard: [[{ text: link.label, url: link.url }]] };
      await bot.api.sendMessage(chatIdOf(chatId), last, { reply_markup }, signalOf(sendOptions));
    },

    routes(app: Hono) {
      const { webhook } = options;
      if (!webhook) return;
      const route = createWebhookRoute({
        secret: webhook.secret,
        timeoutMs: webhook.timeoutMs ?? 5000,
        accepting: () => !stopping && onMessage !== undefined && bot.isInited(),
        handleUpdate: (update) => {
          const taken = bot.handleUpdate(update);
          inFlight.add(taken);
          void taken.catch(() => undefined).finally(() => inFlight.delete(taken));
          return taken;
        },
        onError: (error, update) => log.error({ err: error, updateId: update.update_id }, 'update not handled'),
      });
      app.post(new URL(webhook.url).pathname, route);
    },

    async start(handler: MessageHandler) {
      onMessage = handler;
      stopping = false;
      stopped = new AbortController();
      state = { state: 'starting' };
      running = options.webhook ? keepWebhookSet(options.webhook) : keepPolling();
    },

    async stop() {
      // The webhook stays registered: Telegram keeps the updates until the next start.
      stopping = true;
      stopped.abort(); // a retry waiting for Telegram to come back ends now
      if (bot.isRunning()) await bot.stop();
      await running;
      await Promise.allSettled(inFlight);
      state = { state: 'stopped' };
    },

    status: () => state,
  };

  /** Polls until stopped; when Telegram is unreachable, says so and tries again. */
  async function keepPolling(): Promise<void> {
    while (!stopping) {
      try {
        await bot.init(stopped.signal as Parameters<typeof bot.init>[0]);
        await new Promise<void>((resolve, reject) => {
          bot
            .start({
              allowed_updates: [...ALLOWED_UPDATES],
              timeout: options.pollingTimeoutSeconds ?? 30,
              onStart: (me) => {
                state = { state: 'ready', detail: `@${me.username}` };
                log.info({ bot: me.username }, 'telegram: polling for messages');
                resolve();
              },
            })
            .catch(reject);
        });
        return;
      } catch (error) {
        if (stopping) return;
        const detail = failureDetail(error);
        state = { state: 'degraded', detail };
        log.error({ err: error }, `telegram: cannot start polling, retrying: ${detail}`);
        await sleep(options.restartDelayMs ?? 5000, stopped.signal).catch(() => undefined);
      }
    }
  }

  /** Registers the webhook (again at every start: the URL or secret may have changed); retries until it holds. */
  async function keepWebhookSet(webhook: TelegramWebhookOptions): Promise<void> {
    while (!stopping) {
      try {
        await bot.init(stopped.signal as Parameters<typeof bot.init>[0]);
        await bot.api.setWebhook(webhook.url, { secret_token: webhook.secret, allowed_updates: [...ALLOWED_UPDATES] });
        state = { state: 'ready', detail: `@${bot.botInfo.username} by webhook` };
        log.info({ bot: bot.botInfo.username, path: new URL(webhook.url).pathname }, 'telegram: webhook set, taking updates');
        return;
      } catch (error) {
        if (stopping) return;
        const detail = failureDetail(error);
        state = { state: 'degraded', detail };
        log.error({ err: error }, `telegram: cannot set the webhook, retrying: ${detail}`);
        await sleep(options.restartDelayMs ?? 5000, stopped.signal).catch(() => undefined);
      }
    }
  }

  return channel;
}

function failureDetail(error: unknown): string {
  const unauthorized = error instanceof GrammyError && error.error_code === 401;
  return unauthorized ? 'Telegram refused the bot token (401): check TELEGRAM_BOT_TOKEN' : describe(error);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
