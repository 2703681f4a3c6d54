import { EventEmitter } from 'node:events';
import whatsappWeb from 'whatsapp-web.js';
import type { Client, ClientOptions, MessageContent, MessageSearchOptions, MessageSendOptions, MessageTypes } from 'whatsapp-web.js';
import type {
  WhatsAppChat,
  WhatsAppClient,
  WhatsAppClientEvents,
  WhatsAppClientFactory,
  WhatsAppMessage,
} from '../../../channels/whatsapp/index.js';
import fromMe from '../../fixtures/whatsapp/from-me.json' with { type: 'json' };
import group from '../../fixtures/whatsapp/group.json' with { type: 'json' };
import imageWithCaption from '../../fixtures/whatsapp/image-with-caption.json' with { type: 'json' };
import location from '../../fixtures/whatsapp/location.json' with { type: 'json' };
import ptt from '../../fixtures/whatsapp/ptt.json' with { type: 'json' };
import statusBroadcast from '../../fixtures/whatsapp/status-broadcast.json' with { type: 'json' };
import sticker from '../../fixtures/whatsapp/sticker.json' with { type: 'json' };
import text from '../../fixtures/whatsapp/text.json' with { type: 'json' };

/** A `Message` as `JSON.stringify` shows it: its fields, with the library's raw data in `_data`. */
export type MessageFixture = Omit<WhatsAppMessage, 'type' | 'rawData' | 'downloadMedia'> & { type: string; _data: Record<string, unknown> };

/** A `MessageMedia` as whatsapp-web.js builds it from what WhatsApp Web gives: base64 data. */
export interface MediaFixture {
  readonly mimetype: string;
  readonly data: string;
  readonly filename?: string | null;
  readonly filesize?: number | null;
}

/** Messages shaped like whatsapp-web.js's, kept in `test/fixtures/whatsapp/`; the compiler checks their fields. */
export const fixtures = {
  text,
  imageWithCaption,
  ptt,
  sticker,
  location,
  group,
  statusBroadcast,
  fromMe,
} satisfies Record<string, MessageFixture>;

/** The shop's own WhatsApp id in the fixtures. */
export const BOT_ID = '2250700000000@c.us';
const messageTypes = new Set<string>(Object.values(whatsappWeb.MessageTypes));
let nextId = 1;

/**
 * A `Message` from a fixture, as the client emits it: a fresh id unless given, the fields of
 * `overrides`, and `rawData` like the library's getter.
 */
export function whatsappMessage(fixture: MessageFixture, overrides: Partial<MessageFixture> = {}): WhatsAppMessage {
  const data: MessageFixture = { ...structuredClone(fixture), ...overrides };
  if (!overrides.id) {
    const id = `3EB0${String(nextId++).padStart(16, '0')}`;
    const remote = data.fromMe ? data.to : data.from;
    data.id = { fromMe: data.fromMe, remote, id, _serialized: `${data.fromMe}_${remote}_${id}${data.author ? `_${data.author}` : ''}` };
  }
  if (!messageTypes.has(data.type)) throw new Error(`fake-whatsapp: ${data.type} is not one of whatsapp-web.js's MessageTypes`);
  return {
    ...data,
    type: data.type as MessageTypes,
    get rawData() {
      return data._data;
    },
  } satisfies WhatsAppMessage;
}

/** How a fake client's `initialize()` goes. */
export type StartScript = 'ready' | 'qr' | 'fail' | 'silent';

/** One call the bot made to WhatsApp. */
export interface WhatsAppCall {
  readonly method: 'sendMessage' | 'sendStateTyping' | 'clearState' | 'sendSeen' | 'fetchMessages' | 'getChats' | 'getMessageById' | 'downloadMedia';
  readonly chatId?: string;
  readonly content?: MessageContent;
  readonly options?: MessageSendOptions | MessageSearchOptions;
  /** Which client (0 for the first the adapter built). */
  readonly client: number;
}

interface ChatState {
  readonly messages: WhatsAppMessage[];
  unread: number;
}

/**
 * A fake whatsapp-web.js `Client`: an `EventEmitter` with the methods the adapter calls, typed
 * against the library's own declarations. It behaves like a client of {@link FakeWhatsApp}.
 */
export class FakeWhatsAppClient extends EventEmitter implements WhatsAppClient, Pick<Client, 'initialize' | 'destroy'> {
  info?: WhatsAppClient['info'];
  connected = false;
  destroyed = false;

  constructor(
    readonly index: number,
    readonly options: ClientOptions,
    private readonly whatsapp: FakeWhatsApp,
  ) {
    super();
  }

  /** Emits a client event with the arguments whatsapp-web.js gives it. */
  fire<E extends keyof WhatsAppClientEvents>(event: E, ...args: WhatsAppClientEvents[E]): void {
    this.emit(event, ...args);
  }

  async initialize(): Promise<void> {
    const script = this.whatsapp.startScripts.shift() ?? 'ready';
    if (script === 'fail') throw new Error('Failed to launch the browser process! (fake)');
    // Like the library, events come after initialize() has resolved.
    void Promise.resolve().then(() => {
      if (this.destroyed) return;
      if (script === 'ready') this.becomeReady();
      if (script === 'qr') this.fire('qr', `2@fakeQr${this.index},bm9pc2Uta2V5,aWRlbnRpdHkta2V5,YWR2LXNlY3JldA==,1`);
    });
  }

  /** The phone scanned the QR code (or the saved session was restored). */
  becomeReady(): void {
    this.fire('authenticated');
    this.info = { pushname: 'Mode Ivoire', wid: { server: 'c.us', user: BOT_ID.split('@')[0]!, _serialized: BOT_ID } };
    this.connected = true;
    this.fire('ready');
  }

  async destroy(): Promise<void> {
    this.connected = false;
    this.destroyed = true;
  }

  async sendMessage(chatId: string, content: MessageContent, options?: MessageSendOptions): Promise<WhatsAppMessage> {
    this.check('sendMessage');
    await this.whatsapp.latency('sendMessage');
    this.whatsapp.calls.push({ method: 'sendMessage', chatId, content, options, client: this.index });
    const chat = this.whatsapp.chat(chatId);
    const body = typeof content === 'string' ? content : (options?.caption ?? '');
    const sent = whatsappMessage(fixtures.fromMe, { from: BOT_ID, to: chatId, body });
    chat.messages.push(sent);
    if (options?.sendSeen !== false) chat.unread = 0;
    return sent;
  }

  async getChatById(chatId: string): Promise<WhatsAppChat> {
    this.check('getChatById');
    return this.chatOf(chatId);
  }

  async getChats(): Promise<WhatsAppChat[]> {
    this.check('getChats');
    this.whatsapp.calls.push({ method: 'getChats', client: this.index });
    return [...this.whatsapp.chats.keys()].map((chatId) => this.chatOf(chatId));
  }

  async getMessageById(messageId: string): Promise<WhatsAppMessage | null> {
    this.check('getMessageById');
    this.whatsapp.calls.push({ method: 'getMessageById', client: this.index });
    for (const chat of this.whatsapp.chats.values()) {
      const found = chat.messages.find((message) => message.id._serialized === messageId);
      if (found) return found;
    }
    return null;
  }

  private chatOf(chatId: string): WhatsAppChat {
    const state = this.whatsapp.chat(chatId);
    const record = async (method: WhatsAppCall['method'], options?: MessageSearchOptions) => {
      this.check(method);
      await this.whatsapp.latency(method);
      this.whatsapp.calls.push({ method, chatId, client: this.index, ...(options && { options }) });
    };
    return {
      id: { server: chatId.split('@')[1] ?? 'c.us', user: chatId.split('@')[0] ?? chatId, _serialized: chatId },
      isGroup: chatId.endsWith('@g.us'),
      unreadCount: state.unread,
      sendStateTyping: async () => record('sendStateTyping'),
      clearState: async () => {
        await record('clearState');
        return true;
      },
      sendSeen: async () => {
        await record('sendSeen');
        state.unread = 0;
        return true;
      },
      fetchMessages: async (options: MessageSearchOptions) => {
        await record('fetchMessages', options);
        return state.messages.slice(-(options.limit ?? 50));
      },
    } satisfies WhatsAppChat;
  }

  /** What a closed or not yet connected whatsapp-web.js client does: its Puppeteer page is gone. */
  private check(method: string): void {
    const failure = this.whatsapp.failures.get(method)?.shift();
    if (failure) throw failure;
    if (this.destroyed) throw new Error('Protocol error (Runtime.callFunctionOn): Target closed');
    if (!this.connected) throw new TypeError("Cannot read properties of undefined (reading 'evaluate')");
  }
}

/**
 * WhatsApp as seen by the bot's phone number: chats with their messages and unread counts,
 * which outlive any one client, and every client the adapter built.
 */
export class FakeWhatsApp {
  readonly clients: FakeWhatsAppClient[] = [];
  readonly calls: WhatsAppCall[] = [];
  readonly chats = new Map<string, ChatState>();
  /** How the next clients' `initialize()` go, in order; then `ready`. */
  readonly startScripts: StartScript[] = [];
  readonly failures = new Map<string, Error[]>();
  private readonly delays = new Map<string, number>();

  /** Pass as `clientFactory`. */
  readonly factory: WhatsAppClientFactory = (options) => {
    const client = new FakeWhatsAppClient(this.clients.length, options, this);
    this.clients.push(client);
    return client;
  };

  /** The client built last. */
  current(): FakeWhatsAppClient {
    const client = this.clients.at(-1);
    if (!client) throw new Error('fake-whatsapp: the adapter built no client yet');
    return client;
  }

  chat(chatId: string): ChatState {
    let state = this.chats.get(chatId);
    if (!state) {
      state = { messages: [], unread: 0 };
      this.chats.set(chatId, state);
    }
    return state;
  }

  /**
   * A customer's message reaches WhatsApp: it is unread in its chat, and the connected
   * client (if any) emits it, possibly `times` times (WhatsApp Web re-emits after a reconnection).
   */
  deliver(message: WhatsAppMessage, times = 1): WhatsAppMessage {
    const state = this.chat(message.from);
    state.messages.push(message);
    state.unread += 1;
    const client = this.clients.at(-1);
    for (let i = 0; i < times; i += 1) if (client?.connected) client.fire('message', message);
    return message;
  }

  customerWrites(chatId: string, body: string, times = 1): WhatsAppMessage {
    return this.deliver(whatsappMessage(fixtures.text, { from: chatId, body }), times);
  }

  /**
   * Media WhatsApp Web can give for a message, by serialized id: `downloadMedia()` resolves with
   * it, or with `undefined` when the entry is `null` (expired) or missing, like whatsapp-web.js.
   */
  readonly media = new Map<string, MediaFixture | null>();

  /**
   * A customer records a voice note (`ptt`) of these bytes; WhatsApp says how long it is
   * (`duration`, a string of seconds) and its size, like a real one.
   */
  customerSpeaks(chatId: string, audio: Uint8Array, options: { durationSec: number; mimetype?: string }): WhatsAppMessage {
    const mimetype = options.mimetype ?? 'audio/ogg; codecs=opus';
    const duration = String(options.durationSec);
    const message = this.withMedia(
      whatsappMessage(fixtures.ptt, { from: chatId, duration, _data: { ...fixtures.ptt._data, from: chatId, size: audio.byteLength, duration, mimetype } }),
    );
    this.media.set(message.id._serialized, { mimetype, data: Buffer.from(audio).toString('base64'), filename: null, filesize: null });
    return this.deliver(message);
  }

  /** The message with a `downloadMedia()` that answers from {@link media}, through the connected client. */
  withMedia(message: WhatsAppMessage): WhatsAppMessage {
    const downloadMedia = async () => {
      const client = this.current();
      const failure = this.failures.get('downloadMedia')?.shift();
      if (failure) throw failure;
      if (!client.connected) throw new TypeError("Cannot read properties of undefined (reading 'evaluate')");
      await this.latency('downloadMedia');
      this.calls.push({ method: 'downloadMedia', chatId: message.from, client: client.index });
      return this.media.get(message.id._serialized) ?? undefined;
    };
    return { ...message, downloadMedia };
  }

  /** A photo without caption, a voice note, a sticker or a location. */
  customerSends(chatId: string, kind: 'photo' | 'voice' | 'sticker' | 'location'): WhatsAppMessage {
    const fixture = { photo: fixtures.imageWithCaption, voice: fixtures.ptt, sticker: fixtures.sticker, location: fixtures.location }[kind];
    return this.deliver(whatsappMessage(fixture, { from: chatId, ...(kind === 'photo' && { body: '' }) }));
  }

  /**
   * The connection drops like whatsapp-web.js drops it: `disconnected` with the reason, then
   * the client destroys itself.
   */
  async disconnect(reason: WhatsAppClientEvents['disconnected'][0]): Promise<void> {
    const client = this.current();
    client.connected = false;
    client.fire('disconnected', reason);
    await client.destroy();
  }

  /** Delays every `method` call by `ms` (real or fake timers); 0 resets. */
  setLatency(method: WhatsAppCall['method'], ms: number): void {
    this.delays.set(method, ms);
  }

  /** @internal */
  async latency(method: string): Promise<void> {
    const ms = this.delays.get(method) ?? 0;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Makes the next call to `method` (of any client) throw `error`. */
  failNext(method: string, error: Error): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  sent(chatId?: string): WhatsAppCall[] {
    return this.calls.filter((call) => call.method === 'sendMessage' && (chatId === undefined || call.chatId === chatId));
  }

  /** The texts sent to a chat (a photo's caption for a photo). */
  texts(chatId: string): string[] {
    return this.sent(chatId).map((call) =>
      typeof call.content === 'string' ? call.content : ((call.options as MessageSendOptions | undefined)?.caption ?? ''),
    );
  }

  count(method: WhatsAppCall['method'], chatId?: string): number {
    return this.calls.filter((call) => call.method === method && (chatId === undefined || call.chatId === chatId)).length;
  }
}
