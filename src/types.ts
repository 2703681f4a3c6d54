/**
 * The few shapes every part of akwaba agrees on: what a channel hands to the core, and what
 * the core asks of a channel. Channels depend on these; these depend on nothing.
 */

/** What a customer sent, as far as the bot can tell. Anything but `text` has no readable words of its own. */
export type MessageKind =
  | 'text'
  | 'photo'
  | 'video'
  | 'voice'
  | 'audio'
  | 'sticker'
  | 'animation'
  | 'location'
  | 'contact'
  | 'document'
  | 'poll'
  | 'other';

/** One customer message, normalized from whatever platform it came from. */
export interface IncomingMessage {
  /** The channel's name, e.g. `telegram`; together with `chatId` it names one conversation. */
  readonly channel: string;
  /** The platform's chat id, as a string. */
  readonly chatId: string;
  /** The platform's message id, unique within the chat; used to drop duplicates. */
  readonly messageId: string;
  readonly kind: MessageKind;
  /** The words the customer wrote (a caption for media); empty when there are none. */
  readonly text: string;
  readonly from: { readonly id: string; readonly name?: string; readonly username?: string };
  /** When the bot received it (epoch ms, the bot's clock, not the platform's). */
  readonly receivedAt: number;
  /** The platform's own payload, untouched, for whoever needs more than the normalized fields. */
  readonly raw: unknown;
}

/** Options every outgoing call accepts. */
export interface SendOptions {
  readonly signal?: AbortSignal;
}

/**
 * What the core needs from a channel to answer a customer. Capabilities a platform may lack
 * are optional methods; the core checks for them.
 */
export interface Channel {
  /** Same value as {@link IncomingMessage.channel} for the messages it produces. */
  readonly name: string;
  /** Sends a text reply to a chat. Splitting over the platform's length limit is the channel's job. */
  sendText(chatId: string, text: string, options?: SendOptions): Promise<void>;
  /** Shows "typing…" in the chat; the core calls it again before the platform's indicator lapses. */
  sendTyping?(chatId: string, options?: SendOptions): Promise<void>;
  /**
   * How often "typing…" must be shown again to stay visible (Telegram's lasts 5 s, WhatsApp's
   * about 25 s). Default: the core's `typingRefreshMs` (4 s).
   */
  readonly typingRefreshMs?: number;
  /** Sends a picture with a caption. Channels without it get the link in a text. */
  sendPhoto?(chatId: string, photoUrl: string, caption: string, options?: SendOptions): Promise<void>;
}

/**
 * Called by a channel for every customer message; it never throws, never rejects, and never
 * waits for the answer. A returned promise resolves once the message is durably taken (written
 * to the journal): a channel that can, acknowledges the message to its platform only then
 * (Telegram: the next `getUpdates` offset, or the webhook's 200). Other channels may ignore it.
 */
export type MessageHandler = (message: IncomingMessage, channel: Channel) => void | Promise<void>;

/** A channel that also receives: it starts listening with a handler and stops on demand. */
export interface ChannelAdapter extends Channel {
  /** Starts receiving. Resolves once the channel is listening (or keeps retrying in the background). */
  start(onMessage: MessageHandler): Promise<void>;
  /** Stops receiving new messages; replies may still be sent until `close()` or the process exits. */
  stop(): Promise<void>;
  /** Releases what the channel holds (a browser, sockets) once the last reply was sent. */
  close?(): Promise<void>;
  /** A short state for `/healthz`, e.g. `polling`, `starting`, `stopped`, `error`. */
  status(): ChannelStatus;
}

/** What `/healthz` shows of a channel. */
export interface ChannelStatus {
  readonly state: 'starting' | 'ready' | 'degraded' | 'stopped';
  readonly detail?: string;
}
