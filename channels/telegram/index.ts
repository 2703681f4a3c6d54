import { Bot, GrammyError, type Transformer } from 'grammy';
import { autoRetry } from '@grammyjs/auto-retry';
import type { Logger } from '../../src/logger.js';
import type { ChannelAdapter, ChannelStatus, MessageHandler, SendOptions } from '../../src/types.js';
import { sleep } from '../../src/timing.js';
import { parseTelegramUpdate } from './parse.js';
import { splitText } from './split.js';

export { parseTelegramUpdate } from './parse.js';

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
}

const MESSAGE_LIMIT = 4096;
/** grammY types its signal with the `abort-controller` polyfill's type; Node's own is the same at run time. */
type GrammySignal = Parameters<Bot['api']['sendMessage']>[3];
const signalOf = (options: SendOptions | undefined) => options?.signal as GrammySignal;
const CAPTION_LIMIT = 1024;

/**
 * The Telegram channel, on grammY with long polling. Each update is parsed and handed to the
 * core without waiting for the answer, so one slow reply never holds up other customers.
 * Telegram's own 429s are retried (`@grammyjs/auto-retry`), except for typing indicators,
 * which are worthless late.
 *
 * @example
 * const telegram = createTelegramChannel({ token, logger });
 * await telegram.start(engine.receive);
 */
export function createTelegramChannel(options: TelegramChannelOptions): ChannelAdapter {
  const { logger } = options;
  const log = logger.child({ channel: 'telegram' });
  const bot = new Bot(options.token, {
    client: { apiRoot: options.apiRoot ?? 'https://api.telegram.org', timeoutSeconds: 60 },
  });
  const retry = autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 });
  const retryUnlessTyping: Transformer = (previous, method, payload, signal) =>
    method === 'sendChatAction' ? previous(method, payload, signal) : retry(previous, method, payload, signal);
  bot.api.config.use(retryUnlessTyping);

  let state: ChannelStatus = { state: 'stopped' };
  let stopping = false;
  let polling: Promise<void> | undefined;

  const chatIdOf = (chatId: string): number | string => (/^-?\d+$/.test(chatId) ? Number(chatId) : chatId);

  const channel: ChannelAdapter = {
    name: 'telegram',

    async sendText(chatId: string, text: string, sendOptions?: SendOptions) {
      for (const piece of splitText(text, MESSAGE_LIMIT)) {
        await bot.api.sendMessage(chatIdOf(chatId), piece, undefined, signalOf(sendOptions));
      }
    },

    async sendTyping(chatId: string, sendOptions?: SendOptions) {
      await bot.api.sendChatAction(chatIdOf(chatId), 'typing', undefined, signalOf(sendOptions));
    },

    async sendPhoto(chatId: string, photoUrl: string, caption: string, sendOptions?: SendOptions) {
      const short = caption.length > CAPTION_LIMIT ? `${caption.slice(0, CAPTION_LIMIT - 1)}…` : caption;
      await bot.api.sendPhoto(chatIdOf(chatId), photoUrl, { caption: short }, signalOf(sendOptions));
    },

    async start(onMessage: MessageHandler) {
      stopping = false;
      state = { state: 'starting' };
      bot.use((ctx) => {
        const message = parseTelegramUpdate(ctx.update, {
          allowGroups: options.allowGroups,
          bot: { id: ctx.me.id, username: ctx.me.username },
        });
        if (message) onMessage(message, channel);
      });
      bot.catch((error) => log.error({ err: error.error, updateId: error.ctx.update.update_id }, 'update not handled'));
      polling = keepPolling();
    },

    async stop() {
      stopping = true;
      if (bot.isRunning()) await bot.stop();
      await polling;
      state = { state: 'stopped' };
    },

    status: () => state,
  };

  /** Polls until stopped; when Telegram is unreachable, says so and tries again. */
  async function keepPolling(): Promise<void> {
    while (!stopping) {
      try {
        await bot.init();
        await new Promise<void>((resolve, reject) => {
          bot
            .start({
              allowed_updates: ['message'],
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
        const unauthorized = error instanceof GrammyError && error.error_code === 401;
        const detail = unauthorized ? 'Telegram refused the bot token (401): check TELEGRAM_BOT_TOKEN' : describe(error);
        state = { state: 'degraded', detail };
        log.error({ err: error }, `telegram: cannot start polling, retrying: ${detail}`);
        await sleep(options.restartDelayMs ?? 5000).catch(() => undefined);
      }
    }
  }

  return channel;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
