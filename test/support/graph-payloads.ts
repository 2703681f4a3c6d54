/**
 * WhatsApp Cloud API webhook payloads as Meta sends them, for the fake Graph API and the tests.
 * Shapes from Meta's webhook reference:
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/
 * (text, image, audio, interactive, status and error notifications).
 */
import { createHmac, randomBytes } from 'node:crypto';

export const WABA_ID = '102290129340398';
export const DISPLAY_PHONE_NUMBER = '2250700000001';

type Fields = Record<string, unknown>;

/** A fresh message id in Meta's format (`wamid.` + base64). */
export function newWamid(): string {
  return `wamid.${randomBytes(24).toString('base64')}`;
}

/** `X-Hub-Signature-256` for `body` under the app secret. */
export function signatureOf(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** One `messages` change for the business number, wrapped as Meta posts it. */
export function envelope(phoneNumberId: string, value: Fields): Fields {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: DISPLAY_PHONE_NUMBER, phone_number_id: phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/**
 * A customer's message: `content` is the type-specific part, e.g. `{ type: 'text', text: { body } }`
 * or `{ type: 'audio', audio: { id, mime_type, sha256, voice: true } }`.
 */
export function inboundMessage(
  phoneNumberId: string,
  customer: { readonly waId: string; readonly name?: string },
  content: Fields & { type: string },
  id = newWamid(),
): Fields {
  return envelope(phoneNumberId, {
    contacts: [{ profile: { name: customer.name ?? 'Awa Koné' }, wa_id: customer.waId }],
    messages: [{ from: customer.waId, id, timestamp: String(Math.floor(Date.now() / 1000)), ...content }],
  });
}

/** A status notification for a message the business sent. */
export function statusNotice(
  phoneNumberId: string,
  notice: { readonly id: string; readonly status: 'sent' | 'delivered' | 'read' | 'failed'; readonly recipientId: string; readonly errors?: readonly Fields[] },
): Fields {
  const conversation = { id: 'a75d17ad06104c51166f948319b03c6a', origin: { type: 'service' } };
  return envelope(phoneNumberId, {
    statuses: [
      {
        id: notice.id,
        status: notice.status,
        timestamp: String(Math.floor(Date.now() / 1000)),
        recipient_id: notice.recipientId,
        ...(notice.status === 'failed'
          ? { errors: notice.errors ?? [] }
          : { conversation, pricing: { billable: true, pricing_model: 'PMP', category: 'service' } }),
      },
    ],
  });
}

/** Meta's error object, as in a failed status or `value.errors`. */
export function webhookError(code: number, title: string, details: string): Fields {
  return { code, title, message: title, error_data: { details }, href: '/documentation/business-messaging/whatsapp/support/error-codes' };
}
