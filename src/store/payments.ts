/**
 * What the store keeps of mobile-money payments, and the mapping to and from the SQL
 * functions of `supabase/migrations/20261222000000_payments.sql`, shared by both engines.
 */
import { z } from 'zod';
import { parseRow } from './errors.js';

/** The providers a payment link can come from. */
export type PaymentProviderName = 'wave' | 'cinetpay';

/**
 * Where a payment stands. `pending` → `paid` | `failed` | `expired` | `review` (amount or
 * currency not the order's: never counted as paid); `paid` | `review` → `refunded` (the owner).
 */
export type PaymentStatus = 'pending' | 'paid' | 'failed' | 'expired' | 'review' | 'refunded';

/** Every {@link PaymentStatus}, for validation. */
export const PAYMENT_STATUSES: readonly PaymentStatus[] = ['pending', 'paid', 'failed', 'expired', 'review', 'refunded'];

/** One payment link and what became of it. Times are epoch ms. */
export interface Payment {
  readonly id: string;
  readonly orderId: string;
  readonly orderNumber: number;
  readonly orderStatus: string;
  /** The chat the order came from: where the customer is told. */
  readonly channel: string;
  readonly chatId: string;
  readonly provider: PaymentProviderName;
  /** Ours, sent to the provider (Wave `client_reference`, CinetPay `transaction_id`). */
  readonly reference: string;
  /** The provider's own id (Wave checkout session id, CinetPay payment token). */
  readonly providerRef: string | null;
  readonly url: string;
  /** Whole FCFA: the order's total when the link was made. */
  readonly amountFcfa: number;
  readonly currency: 'XOF';
  readonly status: PaymentStatus;
  /** Why it failed or needs review. */
  readonly detail: string | null;
  readonly receivedAmount: number | null;
  readonly receivedCurrency: string | null;
  readonly transactionId: string | null;
  readonly expiresAt: number | null;
  /** Status checks done so far while pending. */
  readonly checks: number;
  readonly nextCheckAt: number | null;
  /** The status the customer and the owner were last told about. */
  readonly notifiedStatus: PaymentStatus | null;
  readonly createdAt: number;
  readonly settledAt: number | null;
}

/** A link the provider just made, to record as a pending payment. */
export interface NewPayment {
  readonly orderId: string;
  readonly provider: PaymentProviderName;
  readonly reference: string;
  readonly providerRef: string | null;
  readonly url: string;
  /** Must be the order's total: the database refuses anything else. */
  readonly amountFcfa: number;
  readonly expiresAt: number | null;
  readonly nextCheckAt: number;
}

/** A move along the state machine, and the facts behind it. */
export interface PaymentSettlement {
  readonly status: 'paid' | 'failed' | 'expired' | 'refunded';
  /** `provider`: a status check (only a pending payment moves); `owner`: the owner's decision. */
  readonly by: 'provider' | 'owner';
  readonly detail?: string;
  /** What the provider reports it received: a `paid` not matching the payment becomes `review`. */
  readonly receivedAmount?: number;
  readonly receivedCurrency?: string;
  readonly transactionId?: string;
}

/** What a write did: `changed` is false when nothing moved (already there, or too late). */
export interface PaymentChange {
  readonly changed: boolean;
  readonly payment: Payment;
}

/** How to find one payment (the latest when several match). */
export type PaymentQuery =
  | { readonly id: string }
  | { readonly reference: string }
  | { readonly orderId: string }
  | { readonly channel: string; readonly chatId: string };

/** Which payments to list: those due for a check at `due`, or those whose news has not gone out. */
export type PaymentListQuery = { readonly due: number; readonly limit?: number } | { readonly unnotified: true; readonly limit?: number };

/** Money received on one day (UTC, Abidjan's). */
export interface DailyPaidTotal {
  /** `YYYY-MM-DD`. */
  readonly day: string;
  readonly paidFcfa: number;
  readonly payments: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The arguments of `open_payment`, named as PostgREST wants them. */
export function openPaymentArgs(input: NewPayment): Record<string, unknown> {
  return {
    p_order_id: input.orderId,
    p_provider: input.provider,
    p_reference: input.reference,
    p_provider_ref: input.providerRef,
    p_url: input.url,
    p_amount_fcfa: input.amountFcfa,
    p_expires_at: iso(input.expiresAt),
    p_next_check_at: iso(input.nextCheckAt),
  };
}

/** The arguments of `settle_payment`. */
export function settlePaymentArgs(paymentId: string, settlement: PaymentSettlement): Record<string, unknown> {
  return {
    p_payment_id: paymentId,
    p_status: settlement.status,
    p_by: settlement.by,
    p_facts: {
      detail: settlement.detail ?? null,
      received_amount: settlement.receivedAmount ?? null,
      received_currency: settlement.receivedCurrency ?? null,
      transaction_id: settlement.transactionId ?? null,
    },
  };
}

/** The jsonb query of `find_payment`. */
export function findPaymentArg(query: PaymentQuery): Record<string, string> {
  if ('id' in query) return { id: query.id };
  if ('reference' in query) return { reference: query.reference };
  if ('orderId' in query) return { order_id: query.orderId };
  return { channel: query.channel, chat_id: query.chatId };
}

/** The arguments of `list_payments`. */
export function listPaymentsArgs(query: PaymentListQuery): Record<string, unknown> {
  return {
    p_query: 'due' in query ? { due: new Date(query.due).toISOString() } : { unnotified: true },
    p_limit: query.limit ?? 50,
  };
}

/** The arguments of `payment_totals`. */
export function paymentTotalsArgs(query: { from: number; to: number }): Record<string, unknown> {
  return { p_from: new Date(query.from).toISOString(), p_to: new Date(query.to).toISOString() };
}

const time = z.string().transform((value, ctx) => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: `not a timestamp: ${value}` });
  return ms;
});

const paymentJson = z.object({
  id: z.string(),
  order_id: z.string(),
  order_number: z.number().int(),
  order_status: z.string(),
  channel: z.string(),
  chat_id: z.string(),
  provider: z.enum(['wave', 'cinetpay']),
  reference: z.string(),
  provider_ref: z.string().nullable(),
  url: z.string(),
  amount_fcfa: z.number().int(),
  currency: z.literal('XOF'),
  status: z.enum(['pending', 'paid', 'failed', 'expired', 'review', 'refunded']),
  detail: z.string().nullable(),
  received_amount: z.number().nullable(),
  received_currency: z.string().nullable(),
  transaction_id: z.string().nullable(),
  expires_at: time.nullable(),
  checks: z.number().int(),
  next_check_at: time.nullable(),
  notified_status: z.enum(['pending', 'paid', 'failed', 'expired', 'review', 'refunded']).nullable(),
  created_at: time,
  settled_at: time.nullable(),
});

/** The schema of one payment as the SQL functions return it (also embedded in `recent_orders`). */
export const PAYMENT_JSON = paymentJson;

/** Maps the jsonb of `payment_json`. */
export function toPayment(row: z.output<typeof paymentJson>): Payment {
  return {
    id: row.id,
    orderId: row.order_id,
    orderNumber: row.order_number,
    orderStatus: row.order_status,
    channel: row.channel,
    chatId: row.chat_id,
    provider: row.provider,
    reference: row.reference,
    providerRef: row.provider_ref,
    url: row.url,
    amountFcfa: row.amount_fcfa,
    currency: row.currency,
    status: row.status,
    detail: row.detail,
    receivedAmount: row.received_amount,
    receivedCurrency: row.received_currency,
    transactionId: row.transaction_id,
    expiresAt: row.expires_at,
    checks: row.checks,
    nextCheckAt: row.next_check_at,
    notifiedStatus: row.notified_status,
    createdAt: row.created_at,
    settledAt: row.settled_at,
  };
}

/** Maps the jsonb of `open_payment` and `settle_payment`. */
export function toPaymentChange(operation: string, json: unknown): PaymentChange {
  const parsed = parseRow(operation, z.object({ changed: z.boolean(), payment: paymentJson }), json);
  return { changed: parsed.changed, payment: toPayment(parsed.payment) };
}

/** Maps the jsonb of `find_payment` (null when none matches). */
export function toPaymentOrNull(operation: string, json: unknown): Payment | null {
  return json === null || json === undefined ? null : toPayment(parseRow(operation, paymentJson, json));
}

/** Maps the jsonb of `list_payments`. */
export function toPayments(operation: string, json: unknown): Payment[] {
  return parseRow(operation, z.array(paymentJson), json).map(toPayment);
}

/** Maps the jsonb of `payment_totals`. */
export function toPaidTotals(operation: string, json: unknown): DailyPaidTotal[] {
  const rows = parseRow(operation, z.array(z.object({ day: z.string(), paid_fcfa: z.number().int(), payments: z.number().int() })), json);
  return rows.map((row) => ({ day: row.day, paidFcfa: row.paid_fcfa, payments: row.payments }));
}
