import type { IncomingMessage, MediaInfo, MessageKind } from '../../src/core/message.js';

/** What the parser needs to know beyond the message itself. */
export interface WhatsAppParseOptions {
  /** Answer in groups (only when the bot is mentioned). Private chats always. */
  readonly allowGroups?: boolean;
  /** The bot's own WhatsApp id (`client.info.wid._serialized`), to recognise mentions in groups. */
  readonly botId?: string;
  /** The bot's clock (epoch ms); the message's receipt time. */
  readonly receivedAt?: number;
}

type Fields = Record<string, unknown>;

const isRecord = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** whatsapp-web.js `MessageTypes` values and what a customer sent. */
const kinds: Readonly<Record<string, MessageKind>> = {
  chat: 'text',
  image: 'photo',
  album: 'photo',
  video: 'video',
  ptt: 'voice',
  audio: 'audio',
  sticker: 'sticker',
  location: 'location',
  document: 'document',
  vcard: 'contact',
  multi_vcard: 'contact',
  poll_creation: 'poll',
};

/** Types whose `body` is words the customer wrote: the text, or a media caption. */
const typesWithWords = new Set(['chat', 'image', 'video', 'document']);

/**
 * Events dressed as messages: deletions, system notices, reactions, undecrypted messages
 * ("waiting for this message"). Nobody expects an answer to them.
 */
const ignoredTypes = new Set([
  'revoked',
  'ciphertext',
  'e2e_notification',
  'notification',
  'notification_template',
  'gp2',
  'group_notification',
  'broadcast_notification',
  'call_log',
  'protocol',
  'debug',
  'reaction',
  'unknown',
]);

/**
 * Turns a whatsapp-web.js `Message` into akwaba's message, or `null` for what the bot does
 * not answer: its own messages, status updates and broadcast lists, channels (newsletters),
 * group chats (unless allowed and the bot is mentioned), deletions and system notices, and
 * anything malformed. Never throws.
 *
 * The chat id is `message.from` (`2250700000000@c.us`, or a `@lid` id), the message id
 * `message.id._serialized`. A location's `body` is a thumbnail and a contact card's is the
 * vCard, so only texts and media captions are kept as words.
 */
export function parseWhatsAppMessage(message: unknown, options: WhatsAppParseOptions = {}): IncomingMessage | null {
  if (!isRecord(message) || !isRecord(message.id)) return null;
  const messageId = message.id._serialized;
  const chatId = message.from;
  const type = message.type;
  if (!nonEmpty(messageId) || !nonEmpty(chatId) || !nonEmpty(type)) return null;
  if (message.fromMe === true || message.id.fromMe === true) return null;
  if (message.isStatus === true || chatId.endsWith('@broadcast') || chatId.endsWith('@newsletter')) return null;
  if (ignoredTypes.has(type)) return null;
  if (chatId.endsWith('@g.us') && !(options.allowGroups && mentionsBot(message, options.botId))) return null;

  const kind = type === 'video' && message.isGif === true ? 'animation' : (kinds[type] ?? 'other');
  const text = typesWithWords.has(type) && typeof message.body === 'string' ? message.body : '';
  const sender = nonEmpty(message.author) ? message.author : chatId;
  const name = notifyNameOf(message);
  const media = kind === 'voice' || kind === 'audio' ? mediaOf(message) : undefined;
  return {
    channel: 'whatsapp',
    chatId,
    messageId,
    kind,
    text,
    from: { id: sender, ...(name !== undefined && { name }) },
    receivedAt: options.receivedAt ?? Date.now(),
    ...(media && { media }),
    raw: message,
  };
}

/** A voice note's length (`duration`, a string of seconds), size and type (in the library's raw data). */
function mediaOf(message: Fields): MediaInfo {
  const raw = isRecord(message.rawData) ? message.rawData : isRecord(message._data) ? message._data : {};
  const durationSec = Number(message.duration ?? raw.duration);
  const sizeBytes = raw.size;
  return {
    ...(Number.isFinite(durationSec) && durationSec >= 0 && message.duration !== '' && { durationSec }),
    ...(typeof sizeBytes === 'number' && Number.isFinite(sizeBytes) && sizeBytes >= 0 && { sizeBytes }),
    ...(nonEmpty(raw.mimetype) && { mimeType: raw.mimetype.split(';')[0]!.trim() }),
  };
}

function mentionsBot(message: Fields, botId: string | undefined): boolean {
  return botId !== undefined && Array.isArray(message.mentionedIds) && message.mentionedIds.includes(botId);
}

/** The name the customer gave themselves in WhatsApp; only in the library's raw data. */
function notifyNameOf(message: Fields): string | undefined {
  const raw = isRecord(message.rawData) ? message.rawData : isRecord(message._data) ? message._data : undefined;
  return nonEmpty(raw?.notifyName) ? raw.notifyName : undefined;
}
