import type { IncomingMessage, MediaInfo, MessageKind } from '../../src/core/message.js';

/** What the parser needs to know beyond the update itself. */
export interface ParseOptions {
  /** Answer in groups (only when the bot is mentioned or replied to). Private chats always. */
  readonly allowGroups?: boolean;
  /** The bot's own username and id, to recognise mentions and replies in groups. */
  readonly bot?: { readonly id: number; readonly username: string };
  /** The bot's clock (epoch ms); the message's receipt time. */
  readonly receivedAt?: number;
}

type Fields = Record<string, unknown>;

const isRecord = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is number | string =>
  (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && value !== '');

// Order matters: an animation also carries `document`, a venue also carries `location`.
const kindFields: readonly [string, MessageKind][] = [
  ['photo', 'photo'],
  ['animation', 'animation'],
  ['video', 'video'],
  ['video_note', 'video'],
  ['voice', 'voice'],
  ['audio', 'audio'],
  ['sticker', 'sticker'],
  ['venue', 'location'],
  ['location', 'location'],
  ['contact', 'contact'],
  ['document', 'document'],
  ['poll', 'poll'],
];

/**
 * Turns a Telegram update into akwaba's message, or `null` for what the bot does not answer:
 * edits, channel posts and other update types, messages from bots, group chats (unless
 * allowed and addressed to the bot), and anything malformed. A press on an inline button
 * (`callback_query`) is a `text` message whose text is the button's label and whose `action`
 * is its `callback_data`. Never throws.
 */
export function parseTelegramUpdate(update: unknown, options: ParseOptions = {}): IncomingMessage | null {
  if (!isRecord(update)) return null;
  if (update.message === undefined && isRecord(update.callback_query)) return parseCallbackQuery(update, update.callback_query, options);
  const message = update.message;
  if (!isRecord(message) || !isRecord(message.chat) || !isId(message.chat.id) || !isId(message.message_id)) return null;
  const from = isRecord(message.from) ? message.from : undefined;
  if (from?.is_bot === true) return null;
  const chatType = message.chat.type;
  const text = typeof message.text === 'string' ? message.text : typeof message.caption === 'string' ? message.caption : '';
  if (chatType !== 'private') {
    const grouped = chatType === 'group' || chatType === 'supergroup';
    if (!grouped || !options.allowGroups || !addressesBot(message, text, options.bot)) return null;
  }
  const sender = from && isId(from.id) ? from : message.chat;
  const name = [sender.first_name, sender.last_name].filter((part) => typeof part === 'string' && part !== '').join(' ');
  const kind = kindOf(message);
  const media = kind === 'voice' || kind === 'audio' ? mediaOf(message[kind]) : undefined;
  return {
    channel: 'telegram',
    chatId: String(message.chat.id),
    messageId: String(message.message_id),
    kind,
    text,
    from: {
      id: String(sender.id),
      ...(name !== '' && { name }),
      ...(typeof sender.username === 'string' && { username: sender.username }),
    },
    receivedAt: options.receivedAt ?? Date.now(),
    ...(media && { media }),
    raw: update,
  };
}

/** A voice note's or audio file's length, size and type, as far as the update gives them. */
function mediaOf(file: unknown): MediaInfo | undefined {
  if (!isRecord(file)) return undefined;
  const count = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
  return {
    ...(count(file.duration) && { durationSec: file.duration }),
    ...(count(file.file_size) && { sizeBytes: file.file_size }),
    ...(typeof file.mime_type === 'string' && file.mime_type !== '' && { mimeType: file.mime_type }),
  };
}

function kindOf(message: Fields): MessageKind {
  if (typeof message.text === 'string') return 'text';
  return kindFields.find(([field]) => message[field] !== undefined && message[field] !== null)?.[1] ?? 'other';
}

function addressesBot(message: Fields, text: string, bot: ParseOptions['bot']): boolean {
  if (!bot) return false;
  const repliedTo = isRecord(message.reply_to_message) && isRecord(message.reply_to_message.from) ? message.reply_to_message.from : undefined;
  return repliedTo?.id === bot.id || new RegExp(`@${bot.username}(?![A-Za-z0-9_])`, 'i').test(text);
}

/**
 * A button press (https://core.telegram.org/bots/api#callbackquery): only on a message of the
 * bot's that is still accessible, in a private chat (or an allowed group), with `data` (1–64
 * bytes; game buttons have none). The label is read back from the message's keyboard.
 */
function parseCallbackQuery(update: Fields, query: Fields, options: ParseOptions): IncomingMessage | null {
  const message = query.message;
  const from = query.from;
  const data = query.data;
  if (typeof query.id !== 'string' || query.id === '' || typeof data !== 'string' || data === '' || Buffer.byteLength(data) > 64) return null;
  if (!isRecord(message) || !isRecord(message.chat) || !isId(message.chat.id) || !isRecord(from) || !isId(from.id) || from.is_bot === true) return null;
  const chatType = message.chat.type;
  if (chatType !== 'private' && !(options.allowGroups && (chatType === 'group' || chatType === 'supergroup'))) return null;
  const name = [from.first_name, from.last_name].filter((part) => typeof part === 'string' && part !== '').join(' ');
  return {
    channel: 'telegram',
    chatId: String(message.chat.id),
    // Each press has its own id: a redelivered update is the same press, a second tap another.
    messageId: `cb:${query.id}`,
    kind: 'text',
    text: labelOf(message, data) ?? data,
    action: data,
    from: {
      id: String(from.id),
      ...(name !== '' && { name }),
      ...(typeof from.username === 'string' && { username: from.username }),
    },
    receivedAt: options.receivedAt ?? Date.now(),
    raw: update,
  };
}

function labelOf(message: Fields, data: string): string | undefined {
  const markup = isRecord(message.reply_markup) ? message.reply_markup.inline_keyboard : undefined;
  if (!Array.isArray(markup)) return undefined;
  for (const row of markup) {
    if (!Array.isArray(row)) continue;
    for (const button of row) {
      if (isRecord(button) && button.callback_data === data && typeof button.text === 'string') return button.text;
    }
  }
  return undefined;
}
