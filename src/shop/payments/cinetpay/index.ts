/**
 * CinetPay, one aggregator for Orange Money, MTN, Moov, Wave and cards in Côte d'Ivoire, with
 * plain `fetch` (https://docs.cinetpay.com/api/1.0-en/checkout/initialisation): a payment is
 * initialised with `POST /v2/payment` (our reference as `transaction_id`), the customer pays on
 * its `payment_url`, and its status is read with `POST /v2/payment/check`
 * (https://docs.cinetpay.com/api/1.0-en/checkout/verification), the only thing that counts:
 * a notification (https://docs.cinetpay.com/api/1.0-en/checkout/notification) is just a reason
 * to check.
 */
import { z } from 'zod';
import { refused, requestJson, type JsonResponse } from '../http.js';
import {
  NotificationError,
  PaymentProviderError,
  type PaymentNotification,
  type PaymentProvider,
  type ProviderVerdict,
  type RawNotification,
} from '../types.js';
import { verifyCinetpayToken } from './token.js';

export { cinetpayToken, CINETPAY_TOKEN_FIELDS } from './token.js';

/** How to reach CinetPay. */
export interface CinetPayOptions {
  /** `CINETPAY_API_KEY`, from the merchant back office (Intégrations). */
  readonly apiKey: string;
  /** `CINETPAY_SITE_ID`. */
  readonly siteId: string;
  /** `CINETPAY_SECRET_KEY`: the key of the notifications' `x-token`. */
  readonly secretKey: string;
  /** `CINETPAY_API_ROOT`, default `https://api-checkout.cinetpay.com`. */
  readonly apiRoot?: string;
  /** `PUBLIC_URL`: where CinetPay notifies (`/payments/cinetpay/notify`) and sends the customer back. */
  readonly publicUrl: string;
  readonly fetch?: typeof fetch;
  /** The longest one call may take. Default 8000 ms. */
  readonly timeoutMs?: number;
}

const initialised = z.object({
  code: z.literal('201'),
  data: z.object({ payment_token: z.string().min(1), payment_url: z.url({ protocol: /^https?$/ }) }),
});

const checked = z.object({
  code: z.string(),
  message: z.string(),
  data: z
    .object({
      amount: z.union([z.string(), z.number()]).optional(),
      currency: z.string().optional(),
      status: z.string().optional(),
      operator_id: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
});

/** Codes of the code table that mean "the customer has not finished yet". */
const WAITING = new Set(['WAITING_CUSTOMER_PAYMENT', 'WAITING_CUSTOMER_TO_VALIDATE', 'WAITING_CUSTOMER_OTP_CODE', 'CREATED']);
/** Codes that mean this payment will not happen. */
const REFUSED = new Set(['PAYMENT_FAILED', 'INSUFFICIENT_BALANCE', 'OTP_CODE_ERROR', 'TRANSACTION_CANCEL', 'INCORRECT_SETTINGS']);

/** Creates the CinetPay provider. Nothing is contacted until the first payment. */
export function createCinetPayProvider(options: CinetPayOptions): PaymentProvider {
  const apiRoot = (options.apiRoot ?? 'https://api-checkout.cinetpay.com').replace(/\/+$/, '');
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const secrets = [options.apiKey, options.secretKey];
  const call = (path: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<JsonResponse> =>
    requestJson({
      provider: 'cinetpay',
      fetch: options.fetch ?? fetch,
      method: 'POST',
      url: `${apiRoot}${path}`,
      // CinetPay authenticates with the key in the body, not a header.
      body: { apikey: options.apiKey, site_id: options.siteId, ...body },
      timeoutMs: options.timeoutMs ?? 8000,
      signal,
      secrets,
    });

  return {
    name: 'cinetpay',
    label: 'Orange Money, MTN, Moov, Wave ou carte',

    async create(request) {
      // CinetPay refuses XOF amounts that are not a multiple of 5.
      if (request.amountFcfa % 5 !== 0) {
        throw new PaymentProviderError('provider_refused', 'cinetpay', `${request.amountFcfa} XOF is not a multiple of 5`);
      }
      const response = await call(
        '/v2/payment',
        {
          transaction_id: request.reference,
          amount: request.amountFcfa,
          currency: 'XOF',
          description: request.description.replace(/[^\p{L}\p{N} .,'-]/gu, ' ').slice(0, 100),
          notify_url: `${publicUrl}/payments/cinetpay/notify`,
          return_url: `${publicUrl}/payments/done?ref=${encodeURIComponent(request.reference)}`,
          channels: 'ALL',
          lang: 'fr',
          metadata: `commande-${request.orderNumber}`,
        },
        request.signal,
      );
      const parsed = initialised.safeParse(response.body);
      if (!parsed.success) throw refused('cinetpay', response, secrets);
      return { providerRef: parsed.data.data.payment_token, url: parsed.data.data.payment_url, expiresAt: null };
    },

    async status(payment, signal): Promise<ProviderVerdict> {
      const response = await call('/v2/payment/check', { transaction_id: payment.reference }, signal);
      const parsed = checked.safeParse(response.body);
      if (!parsed.success) throw refused('cinetpay', response, secrets);
      const { code, message, data } = parsed.data;
      const status = data?.status?.toUpperCase();
      if (code === '00' && status === 'ACCEPTED') {
        return {
          state: 'paid',
          amount: Number(data?.amount),
          currency: data?.currency ?? '',
          ...(data?.operator_id && { transactionId: data.operator_id }),
        };
      }
      if (status === 'REFUSED' || REFUSED.has(message)) return { state: 'failed', detail: message || 'REFUSED' };
      if (WAITING.has(message) || status === 'PENDING' || status === 'WAITING_FOR_CUSTOMER') return { state: 'pending' };
      throw refused('cinetpay', response, secrets);
    },

    verifyNotification(raw: RawNotification): PaymentNotification {
      const fields = Object.fromEntries(new URLSearchParams(Buffer.from(raw.body).toString('utf8')));
      verifyCinetpayToken(raw.headers.get('x-token'), fields, options.secretKey);
      const reference = fields['cpm_trans_id'];
      if (!reference || fields['cpm_site_id'] !== options.siteId) {
        throw new NotificationError('malformed', 'a CinetPay notification names its site and transaction');
      }
      // No delivery id exists: the token identifies this notification exactly.
      return { eventId: raw.headers.get('x-token')!.trim().toLowerCase(), reference };
    },
  };
}
