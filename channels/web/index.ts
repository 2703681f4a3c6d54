import type { Hono } from 'hono';
import type { Logger } from '../../src/infra/logger.js';
import type { ChannelAdapter, Health, MessageHandler, SendOptions } from '../../src/core/channel.js';
import { loadWebAssets } from './assets.js';
import { WebChannelError } from './errors.js';
import { createWebRoutes } from './routes.js';
import { VisitorBook } from './visitors.js';

export { parseWebMessage, isRejection, VISITOR_ID_PATTERN, type WebMessageBody, type WebMessageRejection } from './parse.js';
export { WebChannelError, type WebChannelErrorCode } from './errors.js';
export type { ChatEvent } from './visitors.js';

/** How the web chat behaves. Only `logger` and `shopName` are required. */
export interface WebChannelOptions {
  readonly logger: Logger;
  /** Shown in the page's header and title. */
  readonly shopName: string;
  /**
   * Sites allowed to embed the chat (`widget.js`) and call its API from the browser, as
   * origins: `https://www.mode-ivoire.ci`. The bot's own origin is always allowed.
   */
  readonly allowedOrigins?: readonly string[];
  /** Longest customer message, in characters. Default 2000. */
  readonly maxMessageChars?: number;
  /** Messages one visitor may send per minute. Default 20. */
  readonly messagesPerMinute?: number;
  /** Messages (both ways) kept per visitor for a reloaded page. Default 50. */
  readonly historyLimit?: number;
  /** A visitor idle this long is forgotten. Default 24 h. */
  readonly visitorTtlMs?: number;
  /** Most visitors remembered at once. Default 10000. */
  readonly maxVisitors?: number;
  /** Open pages (event streams) per visitor; a new one closes the oldest. Default 4. */
  readonly maxStreamsPerVisitor?: number;
  /** Open event streams in all. Default 2000. */
  readonly maxStreams?: number;
  /** How often an idle event stream gets a comment to keep it open. Default 15000. */
  readonly heartbeatMs?: number;
  /** How often the core shows "typing…" again. Default: the core's own (4 s). */
  readonly typingRefreshMs?: number;
  /** How long the page shows "typing…" after each signal, unless a message comes first. Default 6000. */
  readonly typingVisibleMs?: number;
  readonly now?: () => number;
  /** Where `chat.html`, `chat.css`, `chat.js` and `widget.js` are. Default: `channels/web/assets/`. */
  readonly assetsDir?: string;
}

/** The web chat: a {@link ChannelAdapter} whose customers write from a page the bot serves itself. */
export interface WebChannel extends ChannelAdapter {
  sendTyping(chatId: string, options?: SendOptions): Promise<void>;
  sendPhoto(chatId: string, photoUrl: string, caption: string, options?: SendOptions): Promise<void>;
  /** Mounts the page, the widget and the chat API on the bot's HTTP app. */
  routes(app: Hono): void;
  /** Ends every open event stream; call it after the last reply was sent. */
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * The web chat channel: a page at `/` (and a widget for the shop's own site) where customers
 * write; replies reach the page by Server-Sent Events. It needs no token or account, so it is
 * the channel a fresh install always has. Conversations are kept in memory, per visitor.
 *
 * @example
 * const web = createWebChannel({ logger, shopName: 'Mode Ivoire', allowedOrigins: ['https://www.mode-ivoire.ci'] });
 * web.routes(app.http);
 * await web.start(engine.receive);
 */
export function createWebChannel(options: WebChannelOptions): WebChannel {
  const log = options.logger.child({ channel: 'web' });
  const now = options.now ?? Date.now;
  const maxMessageChars = positive('maxMessageChars', options.maxMessageChars ?? 2000);
  const typingVisibleMs = positive('typingVisibleMs', options.typingVisibleMs ?? 6000);
  const allowedOrigins = (options.allowedOrigins ?? []).map(checkOrigin);
  const book = new VisitorBook({
    historyLimit: positive('historyLimit', options.historyLimit ?? 50),
    visitorTtlMs: positive('visitorTtlMs', options.visitorTtlMs ?? 24 * 60 * 60_000),
    maxVisitors: positive('maxVisitors', options.maxVisitors ?? 10_000),
    messagesPerMinute: positive('messagesPerMinute', options.messagesPerMinute ?? 20),
    maxStreamsPerVisitor: positive('maxStreamsPerVisitor', options.maxStreamsPerVisitor ?? 4),
    maxStreams: positive('maxStreams', options.maxStreams ?? 2000),
    now,
  });
  const assets = loadWebAssets({ shopName: options.shopName, maxMessageChars }, options.assetsDir);

  let onMessage: MessageHandler | undefined;
  let state: Health = { state: 'stopped' };
  let sweeper: ReturnType<typeof setInterval> | undefined;

  const channel: WebChannel = {
    name: 'web',
    ...(options.typingRefreshMs !== undefined && { typingRefreshMs: options.typingRefreshMs }),

    async sendText(chatId: string, text: string, sendOptions?: SendOptions) {
      sendOptions?.signal?.throwIfAborted();
      book.append(chatId, { type: 'message', from: 'shop', text });
    },

    async sendTyping(chatId: string, sendOptions?: SendOptions) {
      sendOptions?.signal?.throwIfAborted();
      book.typing(chatId, typingVisibleMs);
    },

    async sendPhoto(chatId: string, photoUrl: string, caption: string, sendOptions?: SendOptions) {
      sendOptions?.signal?.throwIfAborted();
      if (!isWebUrl(photoUrl)) throw new WebChannelError('invalid_photo_url', 'a photo must be an http(s) URL');
      book.append(chatId, { type: 'photo', from: 'shop', url: photoUrl, caption });
    },

    routes(app: Hono) {
      const routes = createWebRoutes({
        book,
        assets,
        allowedOrigins,
        maxMessageChars,
        heartbeatMs: positive('heartbeatMs', options.heartbeatMs ?? 15_000),
        now,
        accepting: () => onMessage !== undefined,
        receive: (message) => onMessage?.(message, channel),
        logger: log,
      });
      app.route('/', routes);
    },

    async start(handler: MessageHandler) {
      onMessage = handler;
      state = { state: 'ready', detail: 'chat page at /' };
      clearInterval(sweeper);
      sweeper = setInterval(() => book.sweep(), SWEEP_INTERVAL_MS);
      sweeper.unref();
      log.info('web chat: taking messages');
    },

    async stop() {
      onMessage = undefined;
      state = { state: 'stopped' };
    },

    async close() {
      clearInterval(sweeper);
      sweeper = undefined;
      book.closeAll();
    },

    status: () => state,
  };
  return channel;
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new WebChannelError('invalid_option', `web chat: ${name} must be a whole number above 0, not ${value}`);
  }
  return value;
}

/** An origin exactly as browsers send it: scheme, host and port, no path or trailing slash. */
function checkOrigin(origin: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !isWebUrl(origin) || parsed.origin !== origin) {
    throw new WebChannelError('invalid_option', `web chat: "${origin}" is not an origin like https://www.example.com`);
  }
  return origin;
}

function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
