import type { IncomingMessage, MessageKind } from '../../src/core/message.js';
import { webChatTexts } from './texts.js';

/** The page's id for one message, unique within the visitor's chat. */
export const CLIENT_MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** A button id as the shop makes them; anything else is refused, not passed on. */
export const ACTION_PATTERN = /^[A-Za-z0-9_:.-]{1,64}$/;

const KINDS: ReadonlySet<string> = new Set<MessageKind>([
  'text',
  'photo',
  'video',
  'voice',
  'audio',
  'sticker',
  'animation',
  'location',
  'contact',
  'document',
  'poll',
  'other',
]);

/** A message refused, with the HTTP status and the words the page shows. */
export interface WebMessageRejection {
  readonly status: 400;
  readonly error: 'invalid_visitor' | 'invalid_message';
  readonly message: string;
}

/** The body of `POST /chat/messages`, as a page sends it. */
export interface WebMessageBody {
  /** The id the server issued to this visitor (`POST /chat/visitors`). */
  readonly visitorId: string;
  readonly clientMessageId: string;
  readonly text: string;
  /** `text` unless said otherwise; the page sends text only, the field exists for attachments to come. */
  readonly kind?: MessageKind;
  /** The id of the button pressed, when the message is a press (`text` is then its label). */
  readonly action?: string;
}

/** What a web message keeps as its `raw`: the body without the visitor id, which opens the chat. */
export type WebMessageRaw = Omit<WebMessageBody, 'visitorId'>;

/**
 * Turns the body of `POST /chat/messages` into the normalized message, or says why not.
 * The chat is the visitor's chat id (`chatIdOf` checks the server's signature on the visitor
 * id and returns `null` for one it did not issue); the message id is the page's
 * `clientMessageId`, so a resent message is recognised as the same one. How long a text may
 * be is the abuse guard's business (`CUSTOMER_MAX_MESSAGE_CHARS`), as on every channel.
 *
 * @example
 * parseWebMessage({ visitorId, clientMessageId: 'm1', text: 'Bonjour' }, { chatIdOf: ids.verify, receivedAt: Date.now() });
 */
export function parseWebMessage(
  body: unknown,
  options: { readonly chatIdOf: (visitorId: unknown) => string | null; readonly receivedAt: number },
): IncomingMessage | WebMessageRejection {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return invalid();
  const { visitorId, clientMessageId, text, kind = 'text', action } = body as Record<string, unknown>;
  const chatId = options.chatIdOf(visitorId);
  if (chatId === null) return { status: 400, error: 'invalid_visitor', message: webChatTexts.invalidVisitor };
  if (typeof clientMessageId !== 'string' || !CLIENT_MESSAGE_ID_PATTERN.test(clientMessageId)) return invalid();
  if (typeof text !== 'string' || typeof kind !== 'string' || !KINDS.has(kind)) return invalid();
  if (action !== undefined && (typeof action !== 'string' || !ACTION_PATTERN.test(action) || kind !== 'text')) return invalid();
  if (kind === 'text' && text.trim() === '') return invalid();
  const raw: WebMessageRaw = { clientMessageId, text, kind: kind as MessageKind, ...(action !== undefined && { action }) };
  return {
    channel: 'web',
    chatId,
    messageId: clientMessageId,
    kind: kind as MessageKind,
    text: text.trim(),
    ...(action !== undefined && { action }),
    from: { id: chatId },
    receivedAt: options.receivedAt,
    raw,
  };
}

/** Tells a parsed message from a rejection. */
export function isRejection(result: IncomingMessage | WebMessageRejection): result is WebMessageRejection {
  return 'error' in result;
}

function invalid(): WebMessageRejection {
  return { status: 400, error: 'invalid_message', message: webChatTexts.invalidMessage };
}
