/**
 * CinetPay's notification token (https://docs.cinetpay.com/api/1.0-en/checkout/hmac): the
 * `x-token` header is the hex HMAC-SHA256, keyed with the merchant's secret key, of these
 * form fields concatenated in this order, a missing one counting as empty.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { NotificationError } from '../types.js';

/** The notification's fields, in the order the token covers them. */
export const CINETPAY_TOKEN_FIELDS = [
  'cpm_site_id',
  'cpm_trans_id',
  'cpm_trans_date',
  'cpm_amount',
  'cpm_currency',
  'signature',
  'payment_method',
  'cel_phone_num',
  'cpm_phone_prefixe',
  'cpm_language',
  'cpm_version',
  'cpm_payment_config',
  'cpm_page_action',
  'cpm_custom',
  'cpm_designation',
  'cpm_error_message',
] as const;

/** The `x-token` CinetPay sends with `fields` (the fakes use it too). */
export function cinetpayToken(secretKey: string, fields: Readonly<Record<string, string | undefined>>): string {
  const data = CINETPAY_TOKEN_FIELDS.map((name) => fields[name] ?? '').join('');
  return createHmac('sha256', secretKey).update(data).digest('hex');
}

/** Checks a notification's `x-token`; throws a `forged` {@link NotificationError} when it is missing or wrong. */
export function verifyCinetpayToken(token: string | null, fields: Readonly<Record<string, string | undefined>>, secretKey: string): void {
  if (!token || !/^[0-9a-f]{64}$/i.test(token.trim())) throw new NotificationError('forged', 'no valid x-token header');
  const expected = Buffer.from(cinetpayToken(secretKey, fields), 'hex');
  if (!timingSafeEqual(Buffer.from(token.trim().toLowerCase(), 'hex'), expected)) {
    throw new NotificationError('forged', 'x-token does not match the notification');
  }
}
