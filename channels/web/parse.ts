import type { IncomingMessage, MessageKind } from '../../src/core/message.js';
import { webChatTexts } from './texts.js';

/** A visitor id as pages make them: long and random enough that nobody guesses another's chat. */
export const VISITOR_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** The page's id for one message, unique within the visitor's chat. */
export const CLIENT_MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

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
  readonly status: 400 | 413;
  readonly error: 'invalid_visitor' | 'invalid_message' | 'too_long';
  readonly message: string;
}

/** The body of `POST /chat/messages`, as a page sends it. */
export interface WebMessageBody {
  readonly visitorId: string;
  readonly clientMessageId: string;
  readonly text: string;
  /** `text` unless said otherwise; the page sends text only, the field exists for attachments to come. */
  readonly kind?: MessageKind;
}

/**
 * Turns the body of `POST /chat/messages` into the normalized message, or says why not.
 * The chat is the visitor; the message id is the page's `clientMessageId`, so a resent message
 * is recognised as the same one.
 *
 * @example
 * parseWebMessage({ visitorId: 'k2P9x7Qw4RtZ8mNa', clientMessageId: 'm1', text: 'Bonjour' }, { maxMessageChars: 2000, receivedAt: Date.now() });
 */
export function parseWebMessage(
  body: unknown,
  options: { readonly maxMessageChars: number; readonly receivedAt: number },
): IncomingMessage | WebMessageRejection {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return invalid();
  const { visitorId, clientMessageId, text, kind = 'text' } = body as Record<string, unknown>;
  if (typeof visitorId !== 'string' || !VISITOR_ID_PATTERN.test(visitorId)) {
    return { status: 400, error: 'invalid_visitor', message: webChatTexts.invalidVisitor };
  }
  if (typeof clientMessageId !== 'string' || !CLIENT_MESSAGE_ID_PATTERN.test(clientMessageId)) return invalid();
  if (typeof text !== 'string' || typeof kind !== 'string' || !KINDS.has(kind)) return invalid();
  if (kind === 'text' && text.trim() === '') return invalid();
  if (text.length > options.maxMessageChars) {
    return { status: 413, error: 'too_long', message: webChatTexts.tooLong(options.maxMessageChars) };
  }
  const raw: WebMessageBody = { visitorId, clientMessageId, text, kind: kind as MessageKind };
  return {
    channel: 'web',
    chatId: visitorId,
    messageId: clientMessageId,
    kind: kind as MessageKind,
    text: text.trim(),
    from: { id: visitorId },
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
