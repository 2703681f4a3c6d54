/**
 * The payment methods of the embedded store: each one SQL function of
 * `20261222000000_payments.sql`, called with positional parameters.
 */
import { assertOrderId } from './sql.js';
import {
  findPaymentArg,
  listPaymentsArgs,
  openPaymentArgs,
  paymentTotalsArgs,
  settlePaymentArgs,
  toPaidTotals,
  toPaymentChange,
  toPaymentOrNull,
  toPayments,
} from './payments.js';
import type { Store } from './types.js';

/** Runs one `SELECT public.fn(…) AS result` under the store's error handling and returns `result`. */
export type RunFunction = (operation: string, sql: string, params: readonly unknown[]) => Promise<unknown>;

/** The store's payment methods. */
export type PaymentMethods = Pick<
  Store,
  'openPayment' | 'settlePayment' | 'schedulePaymentCheck' | 'markPaymentNotified' | 'findPayment' | 'listPayments' | 'paymentTotals'
>;

/** The payment methods over `run` (PGlite, or any driver with `$n` parameters). */
export function embeddedPaymentMethods(run: RunFunction): PaymentMethods {
  return {
    async openPayment(payment) {
      assertOrderId(payment.orderId);
      const a = openPaymentArgs(payment);
      const result = await run(
        'payments.open',
        'SELECT public.open_payment($1::uuid, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz) AS result',
        [a.p_order_id, a.p_provider, a.p_reference, a.p_provider_ref, a.p_url, a.p_amount_fcfa, a.p_expires_at, a.p_next_check_at],
      );
      return toPaymentChange('payments.open', result);
    },
    async settlePayment(paymentId, settlement) {
      assertOrderId(paymentId);
      const a = settlePaymentArgs(paymentId, settlement);
      const result = await run('payments.settle', 'SELECT public.settle_payment($1::uuid, $2, $3, $4::jsonb) AS result', [
        a.p_payment_id,
        a.p_status,
        a.p_by,
        JSON.stringify(a.p_facts),
      ]);
      return toPaymentChange('payments.settle', result);
    },
    async schedulePaymentCheck(paymentId, nextCheckAt) {
      assertOrderId(paymentId);
      await run('payments.schedule', 'SELECT public.schedule_payment_check($1::uuid, $2::timestamptz) AS result', [
        paymentId,
        new Date(nextCheckAt).toISOString(),
      ]);
    },
    async markPaymentNotified(paymentId, status) {
      assertOrderId(paymentId);
      await run('payments.notified', 'SELECT public.mark_payment_notified($1::uuid, $2) AS result', [paymentId, status]);
    },
    async findPayment(query) {
      const result = await run('payments.find', 'SELECT public.find_payment($1::jsonb) AS result', [JSON.stringify(findPaymentArg(query))]);
      return toPaymentOrNull('payments.find', result);
    },
    async listPayments(query) {
      const a = listPaymentsArgs(query);
      const result = await run('payments.list', 'SELECT public.list_payments($1::jsonb, $2) AS result', [JSON.stringify(a.p_query), a.p_limit]);
      return toPayments('payments.list', result);
    },
    async paymentTotals(query) {
      const a = paymentTotalsArgs(query);
      const result = await run('payments.totals', 'SELECT public.payment_totals($1::timestamptz, $2::timestamptz) AS result', [a.p_from, a.p_to]);
      return toPaidTotals('payments.totals', result);
    },
  };
}
