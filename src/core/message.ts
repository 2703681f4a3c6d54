/**
 * What a channel hands to the core: one customer message, whatever platform it came from.
 * Depends on nothing.
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
  /**
   * The id of the button the customer pressed ({@link Button.id}), when the message is a
   * button press; `text` then holds the button's label, so a reader of the text alone still
   * understands it.
   */
  readonly action?: string;
  readonly from: { readonly id: string; readonly name?: string; readonly username?: string };
  /** When the bot received it (epoch ms, the bot's clock, not the platform's). */
  readonly receivedAt: number;
  /** What the platform says of an attached voice note or audio file, when it says it. */
  readonly media?: MediaInfo;
  /** The platform's own payload, untouched, for whoever needs more than the normalized fields. */
  readonly raw: unknown;
}

/** A voice note's or audio file's metadata, as the platform gives it (each field only when known). */
export interface MediaInfo {
  /** Length of the recording, in seconds. */
  readonly durationSec?: number;
  /** Size of the file, in bytes. */
  readonly sizeBytes?: number;
  /** e.g. `audio/ogg`. */
  readonly mimeType?: string;
}
