/**
 * What a mobile-money provider is to the shop: make a payment link for an order, say where a
 * payment stands, and verify a notification. Wave and CinetPay each implement it in their
 * own folder; nothing here knows either of them.
 */
import type { PaymentProviderName } from '../../store/payments.js';

export type { PaymentProviderName } from '../../store/payments.js';

/** A payment link to make. */
export interface PaymentRequest {
  /** Ours, unique per link: Wave's `client_reference`, CinetPay's `transaction_id`. */
  readonly reference: string;
  /** Whole FCFA, from the recorded order. */
  readonly amountFcfa: number;
  readonly orderNumber: number;
  /** Shown on the provider's page, e.g. `Mode Ivoire — commande n°1042`. */
  readonly description: string;
  readonly signal?: AbortSignal;
}

/** A link the provider made. */
export interface CreatedPayment {
  /** The provider's id of it (Wave's checkout session id, CinetPay's payment token). */
  readonly providerRef: string | null;
  /** Where the customer pays. */
  readonly url: string;
  /** When the link stops working (epoch ms), when the provider says. */
  readonly expiresAt: number | null;
}

/** Where a payment stands, as the provider's own API says (never as a notification says). */
export type ProviderVerdict =
  | { readonly state: 'pending' }
  | { readonly state: 'paid'; readonly amount: number; readonly currency: string; readonly transactionId?: string }
  | { readonly state: 'failed'; readonly detail: string }
  | { readonly state: 'expired' };

/** A notification's raw request, exactly as received: signatures are over these bytes. */
export interface RawNotification {
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/** What a verified notification tells: which payment to check. Nothing in it is trusted as a status. */
export interface PaymentNotification {
  /** The provider's id of this delivery, to drop repeats. */
  readonly eventId: string;
  /** Our reference, when the notification is about one of our payments. */
  readonly reference?: string;
}

/** One mobile-money provider. */
export interface PaymentProvider {
  readonly name: PaymentProviderName;
  /** How the customer reads it: `Wave`, `Orange Money, MTN, Moov, Wave ou carte`. */
  readonly label: string;
  /** Makes a payment link. Throws {@link PaymentProviderError}. */
  create(request: PaymentRequest): Promise<CreatedPayment>;
  /** Asks the provider where a payment stands. Throws {@link PaymentProviderError}. */
  status(payment: { readonly reference: string; readonly providerRef: string | null }, signal?: AbortSignal): Promise<ProviderVerdict>;
  /** Verifies a notification's signature and reads it. Throws {@link NotificationError}. */
  verifyNotification(raw: RawNotification, now: number): PaymentNotification;
}

/** `provider_unavailable`: down, slow, 429 or 5xx, worth a retry; `provider_refused`: the request itself was refused. */
export type PaymentProviderErrorCode = 'provider_unavailable' | 'provider_refused';

/** A provider call that failed. Its message never holds a key. */
export class PaymentProviderError extends Error {
  override readonly name = 'PaymentProviderError';
  /** The provider's HTTP status, when it answered. */
  readonly status: number | undefined;

  constructor(
    readonly code: PaymentProviderErrorCode,
    readonly provider: PaymentProviderName,
    message: string,
    options: { cause?: unknown; status?: number } = {},
  ) {
    super(`${provider}: ${message}`, { cause: options.cause });
    this.status = options.status;
  }
}

/** `forged`: missing or wrong signature; `replayed`: signed too long ago; `malformed`: signed but unreadable. */
export type NotificationErrorCode = 'forged' | 'replayed' | 'malformed';

/** A notification refused: 401 when it cannot be trusted, 400 when it cannot be read. */
export class NotificationError extends Error {
  override readonly name = 'NotificationError';
  constructor(
    readonly code: NotificationErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The HTTP status to answer with. */
  get httpStatus(): 400 | 401 {
    return this.code === 'malformed' ? 400 : 401;
  }
}
