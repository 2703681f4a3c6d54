/**
 * The bodies the channel POSTs to `/{phone-number-id}/messages`, and WhatsApp's limits on them.
 * Shapes and limits: https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/
 * (text, image, interactive reply buttons and lists) and .../typing-indicators/.
 */
import { WhatsAppCloudError } from './errors.js';

/** A text message's body: at most 4096 characters. */
export const TEXT_LIMIT = 4096;
/** A media caption: at most 1024 characters. */
export const CAPTION_LIMIT = 1024;
/** Reply buttons: at most 3, titles of 20 characters, a body of 1024. */
export const BUTTONS = { max: 3, titleLimit: 20, idLimit: 256, bodyLimit: 1024 } as const;
/** A list: at most 10 rows, titles of 24 characters, descriptions of 72, a button label of 20, a body of 4096. */
export const LIST = { max: 10, titleLimit: 24, descriptionLimit: 72, idLimit: 200, buttonLimit: 20, bodyLimit: 4096 } as const;

/** One option the customer can tap: `id` comes back in the webhook (`raw.interactive`), `title` as the message's text. */
export interface Choice {
  readonly id: string;
  readonly title: string;
  /** Shown under the title in a list (ignored by buttons). */
  readonly description?: string;
}

type Body = Readonly<Record<string, unknown>>;

const base = (to: string) => ({ messaging_product: 'whatsapp', recipient_type: 'individual', to });

/** Cuts `text` to `limit` characters, ending with "…" when it was longer (never inside an emoji). */
export function shorten(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = /[\uD800-\uDBFF]/.test(text.charAt(limit - 2)) ? limit - 2 : limit - 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * The customer's WhatsApp id from a chat id: the Cloud API's own (`2250701020304`), or one
 * left by WhatsApp Web (`2250701020304@c.us`) in the journal, a handoff or a queued delivery.
 */
export function waIdOf(chatId: string): string {
  const id = chatId.replace(/@(?:c\.us|s\.whatsapp\.net)$/, '');
  if (!/^\d{6,20}$/.test(id)) {
    throw new WhatsAppCloudError('not_a_whatsapp_chat', 'this chat id is not a WhatsApp number the Cloud API can write to');
  }
  return id;
}

/** A text of at most {@link TEXT_LIMIT} characters; links are left as text, without a preview card. */
export const textMessage = (to: string, body: string): Body => ({ ...base(to), type: 'text', text: { preview_url: false, body } });

/** A picture Meta fetches from `link` (HTTPS), with its caption. */
export const imageMessage = (to: string, link: string, caption: string): Body => ({
  ...base(to),
  type: 'image',
  image: { link, ...(caption !== '' && { caption: shorten(caption, CAPTION_LIMIT) }) },
});

/** Marks the customer's message read (blue ticks) and shows "typing…" for up to 25 s or until the next message. */
export const typingIndicator = (messageId: string): Body => ({
  messaging_product: 'whatsapp',
  status: 'read',
  message_id: messageId,
  typing_indicator: { type: 'text' },
});

/** Up to three reply buttons under `body`. */
export function buttonsMessage(to: string, body: string, choices: readonly Choice[]): Body {
  if (choices.length === 0 || choices.length > BUTTONS.max || body.length > BUTTONS.bodyLimit) {
    throw new WhatsAppCloudError('choices_do_not_fit', `reply buttons take 1 to ${BUTTONS.max} choices under ${BUTTONS.bodyLimit} characters`);
  }
  const buttons = choices.map((choice) => ({
    type: 'reply',
    reply: { id: shorten(choice.id, BUTTONS.idLimit), title: shorten(choice.title, BUTTONS.titleLimit) },
  }));
  return { ...base(to), type: 'interactive', interactive: { type: 'button', body: { text: body }, action: { buttons } } };
}

/** Up to ten rows in a list the customer opens with `buttonLabel`. */
export function listMessage(to: string, body: string, buttonLabel: string, choices: readonly Choice[]): Body {
  if (choices.length === 0 || choices.length > LIST.max || body.length > LIST.bodyLimit) {
    throw new WhatsAppCloudError('choices_do_not_fit', `a list takes 1 to ${LIST.max} choices under ${LIST.bodyLimit} characters`);
  }
  const rows = choices.map((choice) => ({
    id: shorten(choice.id, LIST.idLimit),
    title: shorten(choice.title, LIST.titleLimit),
    ...(choice.description && { description: shorten(choice.description, LIST.descriptionLimit) }),
  }));
  return {
    ...base(to),
    type: 'interactive',
    interactive: {
      type: 'list',
      body: { text: body },
      action: { button: shorten(buttonLabel, LIST.buttonLimit), sections: [{ rows }] },
    },
  };
}

/** Buttons when the choices fit them (at most 3, titles within 20 characters), a list otherwise. */
export function choicesMessage(to: string, body: string, choices: readonly Choice[], listLabel: string): Body {
  const fitButtons =
    choices.length <= BUTTONS.max &&
    body.length <= BUTTONS.bodyLimit &&
    choices.every((choice) => choice.title.length <= BUTTONS.titleLimit && choice.description === undefined);
  return fitButtons ? buttonsMessage(to, body, choices) : listMessage(to, body, listLabel, choices);
}
