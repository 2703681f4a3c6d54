import whatsappWeb from 'whatsapp-web.js';
import type {
  Chat,
  ClientInfo,
  ClientOptions,
  Message,
  MessageContent,
  MessageMedia,
  MessageSearchOptions,
  MessageSendOptions,
  WAState,
} from 'whatsapp-web.js';

/** The fields of a whatsapp-web.js `Message` the channel reads. */
export type WhatsAppMessage = WhatsAppMessageFields & {
  /** Seconds, as a string, for voice notes and audio (`Message.duration`). */
  readonly duration?: string;
  /** `Message.downloadMedia()`: nothing when the media expired or failed; absent on a message rebuilt from the journal. */
  downloadMedia?(): Promise<Pick<MessageMedia, 'mimetype' | 'data' | 'filename' | 'filesize'> | null | undefined>;
};

type WhatsAppMessageFields = Pick<
  Message,
  | 'id'
  | 'from'
  | 'to'
  | 'author'
  | 'fromMe'
  | 'type'
  | 'body'
  | 'timestamp'
  | 'hasMedia'
  | 'isStatus'
  | 'broadcast'
  | 'isGif'
  | 'mentionedIds'
  | 'rawData'
>;

/** What the channel does with a whatsapp-web.js `Chat`. */
export interface WhatsAppChat extends Pick<Chat, 'id' | 'isGroup' | 'unreadCount' | 'sendStateTyping' | 'clearState' | 'sendSeen'> {
  fetchMessages(options: MessageSearchOptions): Promise<WhatsAppMessage[]>;
}

/** The whatsapp-web.js `Client` events the channel listens to, with their arguments. */
export interface WhatsAppClientEvents {
  qr: [qr: string];
  authenticated: [];
  ready: [];
  auth_failure: [message: string];
  /** A `WAState`, `LOGOUT`, or a sentence such as `Max qrcode retries reached`. */
  disconnected: [reason: `${WAState}` | 'LOGOUT' | (string & {})];
  change_state: [state: `${WAState}`];
  message: [message: WhatsAppMessage];
}

/**
 * The part of whatsapp-web.js's `Client` the channel uses. The real `Client` is one (the
 * default factory proves it to the compiler); tests inject a fake.
 */
export interface WhatsAppClient {
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  sendMessage(chatId: string, content: MessageContent, options?: MessageSendOptions): Promise<unknown>;
  getChatById(chatId: string): Promise<WhatsAppChat>;
  getChats(): Promise<WhatsAppChat[]>;
  /** A message WhatsApp Web still holds, by its serialized id. */
  getMessageById(messageId: string): Promise<WhatsAppMessage | null | undefined>;
  on<E extends keyof WhatsAppClientEvents>(event: E, listener: (...args: WhatsAppClientEvents[E]) => void): unknown;
  /** Set by whatsapp-web.js once ready. */
  readonly info?: Pick<ClientInfo, 'pushname' | 'wid'>;
}

/** Builds a client from whatsapp-web.js's options; called again for every (re)connection. */
export type WhatsAppClientFactory = (options: ClientOptions) => WhatsAppClient;

/** The real thing: a whatsapp-web.js `Client` driving Chromium. */
export const createWhatsAppWebClient: WhatsAppClientFactory = (options) => new whatsappWeb.Client(options);

/** whatsapp-web.js's file-system session store, kept in `dataPath` across restarts. */
export const createLocalAuth = (dataPath: string): NonNullable<ClientOptions['authStrategy']> =>
  new whatsappWeb.LocalAuth({ dataPath });

/** Wraps downloaded bytes for `sendMessage`. */
export const createMessageMedia = (mimetype: string, base64: string, filename: string): MessageContent =>
  new whatsappWeb.MessageMedia(mimetype, base64, filename);
