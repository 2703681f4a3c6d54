/**
 * What the core asks of a channel to answer a customer, and what a receiving channel offers.
 * Channels depend on these; these depend only on the message.
 */
import type { DownloadedMedia, DownloadMediaOptions } from './media.js';
import type { IncomingMessage } from './message.js';

/** Options every outgoing call accepts. */
export interface SendOptions {
  readonly signal?: AbortSignal;
}

/** A web address shown as a button under a message, where the platform has buttons. */
export interface LinkButton {
  /** The button's words, e.g. `Payer 47 000 FCFA`. */
  readonly label: string;
  /** `https://…` */
  readonly url: string;
}

/**
 * A choice offered under a reply. Pressing it comes back as a message whose `text` is the
 * label and whose `action` is the id; typing the label (or its number) must work as well.
 */
export interface Button {
  /** Comes back as {@link IncomingMessage.action}; at most 64 bytes (Telegram's limit). */
  readonly id: string;
  readonly label: string;
}

/** Options of {@link Channel.sendText}. */
export interface SendTextOptions extends SendOptions {
  /**
   * Choices shown under the text: inline buttons where the platform has them, numbered lines
   * where it does not. Channels that cannot show them at all leave them out.
   */
  readonly buttons?: readonly Button[];
}

/**
 * What the core needs from a channel to answer a customer. Capabilities a platform may lack
 * are optional methods; the core checks for them.
 */
export interface Channel {
  /** Same value as {@link IncomingMessage.channel} for the messages it produces. */
  readonly name: string;
  /** Sends a text reply to a chat. Splitting over the platform's length limit is the channel's job. */
  sendText(chatId: string, text: string, options?: SendTextOptions): Promise<void>;
  /** Shows "typing…" in the chat; the core calls it again before the platform's indicator lapses. */
  sendTyping?(chatId: string, options?: SendOptions): Promise<void>;
  /**
   * How often "typing…" must be shown again to stay visible (Telegram's lasts 5 s, WhatsApp's
   * about 25 s). Default: the core's `typingRefreshMs` (4 s).
   */
  readonly typingRefreshMs?: number;
  /** Sends a picture with a caption. Channels without it get the link in a text. */
  sendPhoto?(chatId: string, photoUrl: string, caption: string, options?: SendOptions): Promise<void>;
  /**
   * Downloads the attachment of a message this channel produced (a voice note to transcribe).
   * Rejects with a `MediaDownloadError`: `too_large` before downloading when the size is known.
   */
  downloadMedia?(message: IncomingMessage, options: DownloadMediaOptions): Promise<DownloadedMedia>;
  /**
   * Sends a text with a button that opens `link` (Telegram's URL button, the web chat's).
   * Channels without it get the address on its own line after the text.
   */
  sendLink?(chatId: string, text: string, link: LinkButton, options?: SendOptions): Promise<void>;
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
  status(): Health;
}

/** One part of the bot (a channel, the model, the store) as `/healthz` shows it. */
export interface Health {
  readonly state: 'ready' | 'starting' | 'degraded' | 'stopped' | 'off';
  readonly detail?: string;
}
