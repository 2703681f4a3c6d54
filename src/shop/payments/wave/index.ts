/**
 * Wave's Checkout API (https://docs.wave.com/checkout), with plain `fetch` (Wave publishes no
 * Node SDK). A checkout session is made per order (`POST /v1/checkout/sessions`, our
 * reference as `client_reference`); the customer pays on its `wave_launch_url`; its status is
 * read back with `GET /v1/checkout/sessions/:id`. Webhooks (https://docs.wave.com/webhook) are
 * only a reason to read the status again.
 */
import { z } from 'zod';
import { refused, requestJson } from '../http.js';
import {
  NotificationError,
  PaymentProviderError,
  type CreatedPayment,
  type PaymentNotification,
  type PaymentProvider,
  type PaymentRequest,
  type ProviderVerdict,
  type RawNotification,
} from '../types.js';
import { verifyWaveSignature } from './signature.js';

export { waveSignatureHeader, verifyWaveSignature, WAVE_SIGNATURE_TOLERANCE_MS } from './signature.js';

/** How to reach Wave. */
export interface WaveOptions {
  /** `WAVE_API_KEY`: a Wave Business API key with the Checkout API (`wave_ci_prod_…`). */
  readonly apiKey: string;
  /** `WAVE_WEBHOOK_SECRET`: the shared secret of the webhook registered in the Business Portal. */
  readonly webhookSecret: string;
  /** `WAVE_API_ROOT`, default `https://api.wave.com`. */
  readonly apiRoot?: string;
  /** `PUBLIC_URL`: where the customer lands after paying (`/payments/done`). */
  readonly publicUrl: string;
  readonly fetch?: typeof fetch;
  /** The longest one call may take. Default 8000 ms. */
  readonly timeoutMs?: number;
}

/** A checkout session, as the docs describe it (fields the bot reads). */
const session = z.object({
  id: z.string().min(1),
  amount: z.string(),
  currency: z.string(),
  checkout_status: z.enum(['open', 'complete', 'expired']),
  payment_status: z.string().nullable().optional(),
  client_reference: z.string().nullable().optional(),
  transaction_id: z.string().nullable().optional(),
  wave_launch_url: z.url({ protocol: /^https?$/ }),
  when_expires: z.string().nullable().optional(),
});

/** A webhook's event envelope: `{ id, type, data }`; checkout events carry a session as `data`. */
const event = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  data: z.object({ id: z.string().optional(), client_reference: z.string().nullable().optional() }).loose(),
});

/** Creates the Wave provider. Nothing is contacted until the first payment. */
export function createWaveProvider(options: WaveOptions): PaymentProvider {
  const apiRoot = (options.apiRoot ?? 'https://api.wave.com').replace(/\/+$/, '');
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const secrets = [options.apiKey, options.webhookSecret];
  const call = (method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal) =>
    requestJson({
      provider: 'wave',
      fetch: options.fetch ?? fetch,
      method,
      url: `${apiRoot}${path}`,
      headers: { authorization: `Bearer ${options.apiKey}` },
      body,
      timeoutMs: options.timeoutMs ?? 8000,
      signal,
      secrets,
    });
  const readSession = (body: unknown) => {
    const parsed = session.safeParse(body);
    if (!parsed.success) throw new PaymentProviderError('provider_unavailable', 'wave', `unexpected checkout session: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  };

  return {
    name: 'wave',
    label: 'Wave',

    async create(request: PaymentRequest): Promise<CreatedPayment> {
      const back = `${publicUrl}/payments/done?ref=${encodeURIComponent(request.reference)}`;
      const response = await call(
        'POST',
        '/v1/checkout/sessions',
        {
          amount: String(request.amountFcfa),
          currency: 'XOF',
          client_reference: request.reference,
          success_url: back,
          error_url: `${back}&error=1`,
        },
        request.signal,
      );
      if (response.status !== 200 && response.status !== 201) throw refused('wave', response, secrets);
      const created = readSession(response.body);
      if (created.amount !== String(request.amountFcfa) || created.currency !== 'XOF') {
        throw new PaymentProviderError('provider_refused', 'wave', `session made for ${created.amount} ${created.currency}, not ${request.amountFcfa} XOF`);
      }
      const expiresAt = created.when_expires ? Date.parse(created.when_expires) : Number.NaN;
      return { providerRef: created.id, url: created.wave_launch_url, expiresAt: Number.isNaN(expiresAt) ? null : expiresAt };
    },

    async status(payment, signal): Promise<ProviderVerdict> {
      if (!payment.providerRef) throw new PaymentProviderError('provider_refused', 'wave', `no checkout session id for ${payment.reference}`);
      const response = await call('GET', `/v1/checkout/sessions/${encodeURIComponent(payment.providerRef)}`, undefined, signal);
      if (response.status !== 200) throw refused('wave', response, secrets);
      const found = readSession(response.body);
      if (found.client_reference && found.client_reference !== payment.reference) {
        throw new PaymentProviderError('provider_refused', 'wave', `session ${found.id} belongs to ${found.client_reference}`);
      }
      if (found.payment_status === 'succeeded') {
        return {
          state: 'paid',
          amount: Number(found.amount),
          currency: found.currency,
          ...(found.transaction_id && { transactionId: found.transaction_id }),
        };
      }
      // A failed attempt leaves the session open: the customer may try again until it expires.
      return found.checkout_status === 'expired' ? { state: 'expired' } : { state: 'pending' };
    },

    verifyNotification(raw: RawNotification, now: number): PaymentNotification {
      verifyWaveSignature(raw.headers.get('wave-signature'), raw.body, options.webhookSecret, now);
      let parsed: z.output<typeof event>;
      try {
        parsed = event.parse(JSON.parse(Buffer.from(raw.body).toString('utf8')));
      } catch (error) {
        throw new NotificationError('malformed', 'a Wave event is { id, type, data }', { cause: error });
      }
      const reference = parsed.type.startsWith('checkout.session.') ? parsed.data.client_reference : undefined;
      return { eventId: parsed.id, ...(reference && { reference }) };
    },
  };
}
