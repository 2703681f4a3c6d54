import type { IncomingMessage, MessageKind } from '../../src/core/message.js';
import { isRecord } from './errors.js';

/** What the parser needs beyond the payload. */
export interface CloudParseOptions {
  /** Only changes for this business number are taken: one Meta app may serve several. */
  readonly phoneNumberId: string;
  /** The bot's clock (epoch ms): when the webhook arrived. */
  readonly receivedAt?: number;
}

/** An error as Meta reports it in a webhook (`value.errors`, or a failed status's `errors`). */
export interface CloudWebhookError {
  readonly code: number;
  readonly title?: string;
  readonly details?: string;
}

/** What happened to a message the bot sent: `sent`, `delivered`, `read`, or `failed` with `errors`. */
export interface CloudStatus {
  /** The `wamid.…` of the bot's message. */
  readonly messageId: string;
  readonly status: string;
  /** The customer's WhatsApp id (their phone number): never log it as it is. */
  readonly recipientId: string;
  readonly errors: readonly CloudWebhookError[];
}

/** Everything one webhook POST carries. */
export interface CloudWebhookEvents {
  readonly messages: IncomingMessage[];
  readonly statuses: CloudStatus[];
  /** Errors about the business account rather than one message (`value.errors`). */
  readonly errors: CloudWebhookError[];
}

type Fields = Record<string, unknown>;
/** Meta's codes are numbers; a string of digits is forgiven, anything else is 0. */
export const codeOf = (value: unknown): number =>
  typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : 0;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const list = (value: unknown): Fields[] => (Array.isArray(value) ? value.filter(isRecord) : []);

/** Cloud API message types, and what the customer sent. */
const kinds: Readonly<Record<string, MessageKind>> = {
  text: 'text',
  image: 'photo',
  video: 'video',
  audio: 'audio',
  sticker: 'sticker',
  location: 'location',
  contacts: 'contact',
  document: 'document',
  interactive: 'text',
  button: 'text',
};

/** Events dressed as messages that nobody expects an answer to: reactions, a changed number, a first opening of the chat. */
const ignoredTypes = new Set(['reaction', 'system', 'request_welcome', 'ephemeral', 'revoked']);

/**
 * Turns a `messages` webhook payload into akwaba's messages and the statuses of what the bot
 * sent. Pure; never throws: anything malformed, for another business number, from a group, or
 * not a `messages` change is left out.
 *
 * A customer's chat id is their WhatsApp id (`from`, digits of their phone number); the
 * message id is the `wamid.…`. Words are a text's body, a media caption, or the title of the
 * reply button or list row the customer tapped (its `id` stays in `raw`). A voice note is
 * `audio` with `voice: true`; its media id is `raw.audio.id`.
 *
 * Shapes: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/
 */
export function parseCloudWebhook(payload: unknown, options: CloudParseOptions): CloudWebhookEvents {
  const events: CloudWebhookEvents = { messages: [], statuses: [], errors: [] };
  if (!isRecord(payload) || payload.object !== 'whatsapp_business_account') return events;
  for (const entry of list(payload.entry)) {
    for (const change of list(entry.changes)) {
      const value = change.value;
      if (change.field !== 'messages' || !isRecord(value) || !isRecord(value.metadata)) continue;
      if (value.metadata.phone_number_id !== options.phoneNumberId) continue;
      const contacts = list(value.contacts);
      for (const raw of list(value.messages)) {
        const message = toMessage(raw, contacts, options.receivedAt ?? Date.now());
        if (message) events.messages.push(message);
      }
      for (const raw of list(value.statuses)) {
        const status = toStatus(raw);
        if (status) events.statuses.push(status);
      }
      events.errors.push(...toErrors(value.errors));
    }
  }
  return events;
}

function toMessage(raw: Fields, contacts: readonly Fields[], receivedAt: number): IncomingMessage | null {
  const from = text(raw.from);
  const messageId = text(raw.id);
  const type = text(raw.type);
  if (!from || !messageId || !type || ignoredTypes.has(type) || raw.group_id !== undefined) return null;
  const kind: MessageKind = type === 'audio' && isRecord(raw.audio) && raw.audio.voice === true ? 'voice' : Object.hasOwn(kinds, type) ? kinds[type]! : 'other';
  const words = wordsOf(type, raw);
  // A tapped button whose title is missing is nothing to answer; treat it as something unreadable.
  const readable: MessageKind = kind === 'text' && words === '' ? 'other' : kind;
  const contact = contacts.find((candidate) => candidate.wa_id === from);
  const name = isRecord(contact?.profile) ? text(contact.profile.name) : undefined;
  return {
    channel: 'whatsapp',
    chatId: from,
    messageId,
    kind: readable,
    text: words,
    from: { id: from, ...(name !== undefined && { name }) },
    receivedAt,
    raw,
  };
}

/** The customer's own words: a text, a caption, or what the tapped button or row says. */
function wordsOf(type: string, raw: Fields): string {
  const body = raw[type];
  if (!isRecord(body)) return '';
  switch (type) {
    case 'text':
      return text(body.body) ?? '';
    case 'image':
    case 'video':
    case 'document':
      return text(body.caption) ?? '';
    case 'button':
      return text(body.text) ?? '';
    case 'interactive': {
      const reply = isRecord(body.button_reply) ? body.button_reply : isRecord(body.list_reply) ? body.list_reply : undefined;
      return text(reply?.title) ?? '';
    }
    default:
      return '';
  }
}

function toStatus(raw: Fields): CloudStatus | null {
  const messageId = text(raw.id);
  const status = text(raw.status);
  if (!messageId || !status) return null;
  return { messageId, status, recipientId: text(raw.recipient_id) ?? '', errors: toErrors(raw.errors) };
}

function toErrors(value: unknown): CloudWebhookError[] {
  return list(value).map((error) => {
    const details = isRecord(error.error_data) ? text(error.error_data.details) : undefined;
    const title = text(error.title) ?? text(error.message);
    return {
      code: codeOf(error.code),
      ...(title !== undefined && { title }),
      ...(details !== undefined && { details }),
    };
  });
}
