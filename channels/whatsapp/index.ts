import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../src/infra/logger.js';
import type { ChannelAdapter, Health, MessageHandler, SendOptions, SendTextOptions } from '../../src/core/channel.js';
import { withNumberedChoices } from '../shared/numbered-choices.js';
import {
  createLocalAuth,
  createMessageMedia,
  createWhatsAppWebClient,
  type WhatsAppClient,
  type WhatsAppClientFactory,
  type WhatsAppMessage,
} from './client.js';
import { createConnection, type Connection } from './connection.js';
import { downloadWhatsAppMedia } from './media.js';
import { parseWhatsAppMessage } from './parse.js';
import { downloadPhoto } from './photo.js';
import { DEFAULT_CHROMIUM_PATH, whatsappPuppeteerOptions } from './puppeteer.js';
import { ShownTyping } from './shown-typing.js';

export { parseWhatsAppMessage, type WhatsAppParseOptions } from './parse.js';
export { whatsappPuppeteerOptions, DEFAULT_CHROMIUM_PATH, type WhatsAppPuppeteerOptions } from './puppeteer.js';
export { PhotoDownloadError } from './photo.js';
export { WhatsAppNotReadyError } from './connection.js';
export type { WhatsAppChat, WhatsAppClient, WhatsAppClientEvents, WhatsAppClientFactory, WhatsAppMessage } from './client.js';

/** How to run WhatsApp Web. */
export interface WhatsAppChannelOptions {
  /** The app's data directory; the WhatsApp session lives in `<dataDir>/whatsapp`. */
  readonly dataDir: string;
  /** The system Chromium. Default `/usr/bin/chromium`. */
  readonly chromiumPath?: string;
  readonly logger: Logger;
  /** Answer in group chats when the bot is mentioned. Default false. */
  readonly allowGroups?: boolean;
  /** Builds the whatsapp-web.js client; tests inject a fake. Default: the real `Client`. */
  readonly clientFactory?: WhatsAppClientFactory;
  /** Called with every new QR code while WhatsApp waits for the shop's phone to scan one. */
  readonly onQr?: (qr: string) => void;
  /** Called once when the session is gone and someone must scan a new QR code (e.g. to tell the owner). */
  readonly onSessionLost?: (reason: string) => void;
  /** Restart Chromium this often (keeping the session) to give its memory back; 0 or unset: never. */
  readonly browserRestartHours?: number;
  /** First wait before reconnecting; doubled on every failure in a row. Default 2000. */
  readonly reconnectDelayMs?: number;
  /** Longest wait between reconnections. Default 60000. */
  readonly maxReconnectDelayMs?: number;
  /** Give up on a (re)start that shows neither a QR code nor the chats within this time. Default 180000. */
  readonly startTimeoutMs?: number;
  /** How long a reply waits for WhatsApp to come back (reconnection, browser restart). Default 30000. */
  readonly sendWaitMs?: number;
  /** How long a product photo may take to download before its link is sent instead. Default 15000. */
  readonly photoTimeoutMs?: number;
  /** How often the core shows "typing…" again. Default 20000 (WhatsApp's lasts about 25 s). */
  readonly typingRefreshMs?: number;
  /** Used to download product photos. Default: the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch;
}

/** The WhatsApp channel: a {@link ChannelAdapter} that can also show its QR code and shut Chromium down. */
export interface WhatsAppChannel extends ChannelAdapter {
  /** The QR code to scan (the raw string to draw), or `null` when none is waiting. */
  qr(): string | null;
  /** Closes Chromium (the session stays on disk). Call it after the last reply was sent. */
  close(): Promise<void>;
}

const MAX_PHOTO_BYTES = 16 * 1024 * 1024;
const DEDUPE_WINDOW = 5000;

/**
 * The WhatsApp channel, on whatsapp-web.js driving a headless Chromium. The session is kept
 * in `<dataDir>/whatsapp`, so the QR code is scanned once; the channel reconnects by itself,
 * and on every (re)connection answers the messages that arrived while it was away.
 *
 * `stop()` stops taking messages but keeps WhatsApp open, so the replies still owed can be
 * sent; `close()` then closes the browser.
 *
 * @example
 * const whatsapp = createWhatsAppChannel({ dataDir: './data', logger, onSessionLost: warnOwner });
 * await whatsapp.start(engine.receive); // resolves at once; watch whatsapp.status() and whatsapp.qr()
 */
export function createWhatsAppChannel(options: WhatsAppChannelOptions): WhatsAppChannel {
  const log = options.logger.child({ channel: 'whatsapp' });
  const sessionDir = join(options.dataDir, 'whatsapp');
  const factory = options.clientFactory ?? createWhatsAppWebClient;
  const fetchPhoto = options.fetch ?? globalThis.fetch;
  let handler: MessageHandler | undefined;
  let receiving = false;
  const seen = new Set<string>();
  const typing = new ShownTyping(30_000);
  // Written once a phone is linked: a QR code after that means the session was lost.
  const linkedMarker = join(sessionDir, 'linked');
  const chains = new Map<string, Promise<void>>();
  let linking: Promise<void> = Promise.resolve();

  const connection: Connection = createConnection({
    log,
    restartAfterMs: (options.browserRestartHours ?? 0) * 3_600_000,
    reconnectDelayMs: options.reconnectDelayMs ?? 2000,
    maxReconnectDelayMs: options.maxReconnectDelayMs ?? 60_000,
    startTimeoutMs: options.startTimeoutMs ?? 180_000,
    sendWaitMs: options.sendWaitMs ?? 30_000,
    onQr: options.onQr,
    onSessionLost: options.onSessionLost,
    createClient: () =>
      factory({
        authStrategy: createLocalAuth(sessionDir),
        puppeteer: whatsappPuppeteerOptions(options.chromiumPath ?? DEFAULT_CHROMIUM_PATH),
        webVersionCache: { type: 'local', path: join(sessionDir, 'web-cache') },
        deviceName: 'akwaba',
      }),
    isBusy,
    onMessage: (message) => void take(message),
    onReady: (client, current) => {
      linking = markLinked();
      void answerUnread(client, current);
    },
  });

  async function markLinked(): Promise<void> {
    try {
      await mkdir(sessionDir, { recursive: true });
      await writeFile(linkedMarker, new Date().toISOString());
    } catch (error) {
      log.warn({ err: error }, 'whatsapp: could not note that a phone is linked');
    }
  }

  /** Replies are being sent, or a customer is waiting ("typing…" shown within the last 30 s). */
  function isBusy(): boolean {
    return chains.size > 0 || typing.any();
  }

  /** Hands a customer message to the core once; says whether it was new, a repeat, or not for the bot. */
  function take(raw: WhatsAppMessage): 'new' | 'again' | 'ignored' {
    if (!receiving || !handler) return 'ignored';
    const message = parseWhatsAppMessage(raw, {
      allowGroups: options.allowGroups,
      botId: connection.botId(),
      receivedAt: Date.now(),
    });
    if (!message) return 'ignored';
    // WhatsApp Web emits some messages again after a reconnection, and they also show up as unread.
    if (seen.has(message.messageId)) return 'again';
    seen.add(message.messageId);
    if (seen.size > DEDUPE_WINDOW) seen.delete(seen.values().next().value as string);
    try {
      handler(message, channel);
    } catch (error) {
      log.error({ err: error }, 'whatsapp: message not handed over');
    }
    return 'new';
  }

  /** Answers what customers wrote while the bot was away: the unread messages of every chat. */
  async function answerUnread(client: WhatsAppClient, current: () => boolean): Promise<void> {
    let handed = 0;
    try {
      for (const chat of await client.getChats()) {
        if (!current() || !receiving) return;
        if (chat.unreadCount <= 0 || (chat.isGroup && !options.allowGroups)) continue;
        try {
          const outcomes = (await chat.fetchMessages({ limit: chat.unreadCount })).map(take);
          handed += outcomes.filter((outcome) => outcome === 'new').length;
          if (outcomes.some((outcome) => outcome !== 'ignored')) await chat.sendSeen();
        } catch (error) {
          log.warn({ err: error }, 'whatsapp: the unread messages of a chat could not be read');
        }
      }
    } catch (error) {
      log.warn({ err: error }, 'whatsapp: unread chats could not be listed; they will be answered when their customer writes again');
    }
    if (handed > 0) log.info({ messages: handed }, `whatsapp: answering ${handed} message(s) received while offline`);
  }

  /** Runs the calls of one chat one after the other, so "typing…" never lands after the reply that clears it. */
  function inOrder(chatId: string, work: () => Promise<void>): Promise<void> {
    const result = (chains.get(chatId) ?? Promise.resolve()).then(work);
    const tail = result.catch(() => undefined);
    chains.set(chatId, tail);
    void tail.then(() => {
      if (chains.get(chatId) === tail) chains.delete(chatId);
    });
    return result;
  }

  async function clearTyping(client: WhatsAppClient, chatId: string): Promise<void> {
    if (!typing.cleared(chatId)) return;
    try {
      await (await client.getChatById(chatId)).clearState();
    } catch (error) {
      log.debug({ err: error }, 'whatsapp: typing indicator not cleared');
    }
  }

  const channel: WhatsAppChannel = {
    name: 'whatsapp',
    // WhatsApp shows "typing…" for about 25 s; refreshing every 4 s would cost two browser calls each time.
    typingRefreshMs: options.typingRefreshMs ?? 20_000,

    sendText(chatId: string, text: string, sendOptions?: SendTextOptions) {
      const shown = withNumberedChoices(text, sendOptions?.buttons ?? []);
      return inOrder(chatId, async () => {
        const client = await connection.whenReady(sendOptions?.signal);
        await client.sendMessage(chatId, shown);
        await clearTyping(client, chatId);
      });
    },

    sendTyping(chatId: string) {
      return inOrder(chatId, async () => {
        // Worthless late: no waiting for a reconnection.
        const chat = await connection.readyClient().getChatById(chatId);
        await chat.sendStateTyping();
        typing.shown(chatId);
      });
    },

    async sendPhoto(chatId: string, photoUrl: string, caption: string, sendOptions?: SendOptions) {
      const photo = await downloadPhoto(photoUrl, {
        fetch: fetchPhoto,
        timeoutMs: options.photoTimeoutMs ?? 15_000,
        maxBytes: MAX_PHOTO_BYTES,
        signal: sendOptions?.signal,
      }).catch((error: unknown) => {
        log.warn({ err: error, photoUrl }, 'whatsapp: photo not downloaded; sending its link instead');
        return undefined;
      });
      if (!photo) {
        await channel.sendText(chatId, caption === '' ? photoUrl : `${caption}\n${photoUrl}`, sendOptions);
        return;
      }
      const media = createMessageMedia(photo.mimetype, photo.base64, photo.filename);
      await inOrder(chatId, async () => {
        const client = await connection.whenReady(sendOptions?.signal);
        await client.sendMessage(chatId, media, { caption });
        await clearTyping(client, chatId);
      });
    },

    downloadMedia(message, mediaOptions) {
      return downloadWhatsAppMedia(message, mediaOptions, async (messageId, signal) =>
        (await connection.whenReady(signal)).getMessageById(messageId),
      );
    },

    async start(onMessage: MessageHandler) {
      handler = onMessage;
      receiving = true;
      connection.open({ wasLinked: existsSync(linkedMarker) });
    },

    async stop() {
      receiving = false;
      connection.holdRestarts();
    },

    async close() {
      await connection.close();
      await linking;
    },
    status: (): Health => (receiving ? connection.state() : { state: 'stopped' }),
    qr: () => connection.qr(),
  };

  return channel;
}
