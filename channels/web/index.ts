import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { addressKey, clientAddress } from '../../src/infra/client-address.js';
import type { Logger } from '../../src/infra/logger.js';
import type { ChannelAdapter, Health, LinkButton, MessageHandler, SendOptions, SendTextOptions } from '../../src/core/channel.js';
import { createAddressLimits } from './address-limits.js';
import { loadWebAssets } from './assets.js';
import { createFileChatLog, type ChatLog } from './chat-log.js';
import type { ChatHub } from './hub.js';
import { WebChannelError } from './errors.js';
import { createWebRoutes } from './routes.js';
import { createVisitorIds, loadVisitorSecret } from './visitor-ids.js';
import { VisitorBook } from './visitors.js';

export { parseWebMessage, isRejection, type WebMessageBody, type WebMessageRaw, type WebMessageRejection } from './parse.js';
export { createVisitorIds, loadVisitorSecret, VISITOR_ID_PATTERN, type VisitorIds } from './visitor-ids.js';
export { WebChannelError, type WebChannelErrorCode } from './errors.js';
export type { ChatEvent } from './visitors.js';
export type { ChatLog, StoredChat } from './chat-log.js';
export type { ChatHub, ChatSignal } from './hub.js';

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
  /**
   * `CUSTOMER_MAX_MESSAGE_CHARS`: the page's counter and the request size follow it; a longer
   * text is answered by the abuse guard, as on every channel. Default 5000.
   */
  readonly maxMessageChars?: number;
  /**
   * Where visitors' chats and the visitor-id secret are kept (`DATA_DIR`): chats then outlive a
   * restart, in `web-chat/visitors/`. Without it they live in memory and ids last one run.
   */
  readonly dataDir?: string;
  /**
   * Signs visitor ids (32 bytes or more). Default: kept in `dataDir`, else random per run.
   * Instances sharing visitors (shared mode) share it, so an id one issued is valid on all.
   */
  readonly visitorSecret?: Uint8Array;
  /** Where visitors' chats are kept. Default: files in `dataDir` (bounded as below), else memory only. */
  readonly chatLog?: ChatLog;
  /**
   * Instances sharing `chatLog` (shared mode): a reply any of them sends reaches the visitor's
   * pages on whichever instance holds them. Default: none (one process).
   */
  readonly hub?: ChatHub;
  /** `TRUST_PROXY`: reverse proxies whose `X-Forwarded-For` names the client. Default 0. */
  readonly trustProxy?: number;
  /** Open pages from one address at once. Default 20. */
  readonly streamsPerAddress?: number;
  /** New visitors one address may start per hour. Default 30. */
  readonly visitorsPerAddressPerHour?: number;
  /** Messages one address may send per minute, all its visitors together. Default 60. */
  readonly messagesPerAddressPerMinute?: number;
  /** Messages (both ways) kept per visitor for a reloaded page. Default 50. */
  readonly historyLimit?: number;
  /** Characters kept per visitor, all messages together. Default 20000. */
  readonly historyMaxChars?: number;
  /** A visitor idle this long leaves memory (its saved chat stays). Default 24 h. */
  readonly visitorTtlMs?: number;
  /** Most visitors in memory at once. Default 10000. */
  readonly maxVisitors?: number;
  /** Most characters of chat in memory, all visitors together. Default 20 000 000. */
  readonly maxMemoryChars?: number;
  /** Most chats saved in `dataDir`; the least recently active go first. Default 5000. */
  readonly maxSavedChats?: number;
  /** A saved chat untouched this long is deleted. Default 30 days. */
  readonly savedChatRetentionMs?: number;
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
  sendLink(chatId: string, text: string, link: LinkButton, options?: SendOptions): Promise<void>;
  /** Mounts the page, the widget and the chat API on the bot's HTTP app. */
  routes(app: Hono): void;
  /** Ends every open event stream; call it after the last reply was sent. */
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * The web chat channel: a page at `/` (and a widget for the shop's own site) where customers
 * write; replies reach the page by Server-Sent Events. It needs no token or account, so it is
 * the channel a fresh install always has. Visitors get an id signed by the server; what one
 * address may do is limited; each visitor's chat is kept in `dataDir` (bounded), so a page
 * opened after a restart shows it whole.
 *
 * @example
 * const web = createWebChannel({ logger, shopName: 'Mode Ivoire', dataDir: './data', allowedOrigins: ['https://www.mode-ivoire.ci'] });
 * web.routes(app.http);
 * await web.start(engine.receive);
 */
export function createWebChannel(options: WebChannelOptions): WebChannel {
  const log = options.logger.child({ channel: 'web' });
  const now = options.now ?? Date.now;
  const maxMessageChars = positive('maxMessageChars', options.maxMessageChars ?? 5000);
  const typingVisibleMs = positive('typingVisibleMs', options.typingVisibleMs ?? 6000);
  const allowedOrigins = (options.allowedOrigins ?? []).map(checkOrigin);
  const trustProxy = options.trustProxy ?? 0;
  const folder = options.dataDir === undefined ? undefined : join(options.dataDir, 'web-chat');
  const secret = options.visitorSecret ?? (folder ? loadVisitorSecret(join(folder, 'visitor-secret')) : randomBytes(32));
  const chatLog =
    options.chatLog ??
    (folder
      ? createFileChatLog({
          dir: join(folder, 'visitors'),
          maxChats: positive('maxSavedChats', options.maxSavedChats ?? 5000),
          retentionMs: positive('savedChatRetentionMs', options.savedChatRetentionMs ?? 30 * 24 * 60 * 60_000),
          logger: log,
          now,
        })
      : undefined);
  const book = new VisitorBook({
    historyLimit: positive('historyLimit', options.historyLimit ?? 50),
    historyMaxChars: positive('historyMaxChars', options.historyMaxChars ?? 20_000),
    visitorTtlMs: positive('visitorTtlMs', options.visitorTtlMs ?? 24 * 60 * 60_000),
    maxVisitors: positive('maxVisitors', options.maxVisitors ?? 10_000),
    maxChars: positive('maxMemoryChars', options.maxMemoryChars ?? 20_000_000),
    maxStreamsPerVisitor: positive('maxStreamsPerVisitor', options.maxStreamsPerVisitor ?? 4),
    maxStreams: positive('maxStreams', options.maxStreams ?? 2000),
    now,
    ...(chatLog && { log: chatLog }),
    ...(options.hub && { hub: options.hub }),
  });
  const limits = createAddressLimits({
    streams: positive('streamsPerAddress', options.streamsPerAddress ?? 20),
    visitorsPerHour: positive('visitorsPerAddressPerHour', options.visitorsPerAddressPerHour ?? 30),
    messagesPerMinute: positive('messagesPerAddressPerMinute', options.messagesPerAddressPerMinute ?? 60),
    now,
  });
  const ids = createVisitorIds(secret);
  const assets = loadWebAssets({ shopName: options.shopName, maxMessageChars }, options.assetsDir);

  let onMessage: MessageHandler | undefined;
  let state: Health = { state: 'stopped' };
  let sweeper: ReturnType<typeof setInterval> | undefined;

  const channel: WebChannel = {
    name: 'web',
    ...(options.typingRefreshMs !== undefined && { typingRefreshMs: options.typingRefreshMs }),

    async sendText(chatId: string, text: string, sendOptions?: SendTextOptions) {
      sendOptions?.signal?.throwIfAborted();
      const buttons = (sendOptions?.buttons ?? []).map(({ id, label }) => ({ id, label }));
      await book.append(chatId, { type: 'message', from: 'shop', text, ...(buttons.length > 0 && { buttons }) });
    },

    async sendTyping(chatId: string, sendOptions?: SendOptions) {
      sendOptions?.signal?.throwIfAborted();
      await book.typing(chatId, typingVisibleMs);
    },

    async sendPhoto(chatId: string, photoUrl: string, caption: string, sendOptions?: SendOptions) {
      sendOptions?.signal?.throwIfAborted();
      if (!isWebUrl(photoUrl)) throw new WebChannelError('invalid_photo_url', 'a photo must be an http(s) URL');
      await book.append(chatId, { type: 'photo', from: 'shop', url: photoUrl, caption });
    },

    async sendLink(chatId: string, text: string, link: LinkButton, sendOptions?: SendOptions) {
      sendOptions?.signal?.throwIfAborted();
      if (!isWebUrl(link.url)) throw new WebChannelError('invalid_link_url', 'a link must be an http(s) URL');
      await book.append(chatId, { type: 'message', from: 'shop', text, link: { label: link.label, url: link.url } });
    },

    routes(app: Hono) {
      const routes = createWebRoutes({
        book,
        ids,
        limits,
        addressOf: (c) => addressKey(clientAddress(c, trustProxy)),
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
      sweeper = setInterval(() => void book.sweep().catch((error: unknown) => log.warn({ err: error }, 'web chat: sweep failed')), SWEEP_INTERVAL_MS);
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
      await book.flush();
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
