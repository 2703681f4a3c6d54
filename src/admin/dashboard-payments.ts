/** What the dashboard shows of mobile money: money received, and each order's payment with the owner's actions. */
import { formatFcfa, formatNumber } from '../records/summary.js';
import type { Payment, PaymentStatus } from '../store/payments.js';
import type { RecentOrder } from '../store/records.js';
import type { PaidFigures } from './dashboard-data.js';
import { html, type SafeHtml } from './dashboard-html.js';

/** French names of the payment statuses. */
export const PAYMENT_LABELS: Readonly<Record<PaymentStatus, string>> = {
  pending: 'En attente',
  paid: 'Payée',
  failed: 'Échouée',
  expired: 'Lien expiré',
  review: 'À vérifier',
  refunded: 'Remboursée',
};

const PROVIDERS: Readonly<Record<Payment['provider'], string>> = { wave: 'Wave', cinetpay: 'CinetPay' };

/** The owner's actions on a payment, by its status. */
const ACTIONS: Readonly<Partial<Record<PaymentStatus, readonly { action: 'paid' | 'refunded'; label: string }[]>>> = {
  paid: [{ action: 'refunded', label: 'Noter remboursé' }],
  review: [
    { action: 'paid', label: 'Valider le paiement' },
    { action: 'refunded', label: 'Noter remboursé' },
  ],
};

/** The money-received figure, beside sales. */
export function paidKpi(paid: PaidFigures): SafeHtml {
  const detail = `${formatFcfa(paid.periodFcfa)} sur la période · ${formatNumber(paid.todayPayments)} paiement${paid.todayPayments > 1 ? 's' : ''} aujourd’hui`;
  return html`<div class="kpi good" data-kpi="paid"><span class="label">Encaissé aujourd’hui</span><strong class="value">${formatNumber(paid.todayFcfa)}<small>\u00a0FCFA</small></strong><span class="detail">${detail}</span></div>`;
}

/** An order's payment: its status and provider, what was received when it needs review, and the actions. */
export function paymentCell(order: RecentOrder): SafeHtml {
  const payment = order.payment;
  if (!payment) return html`<td data-label="Paiement"><span class="muted">À la livraison</span></td>`;
  const received =
    payment.status === 'review' && payment.detail ? html`<br><span class="muted">${payment.detail}</span>` : '';
  const actions = ACTIONS[payment.status] ?? [];
  const form =
    actions.length > 0
      ? html`<form method="post" action="/admin/payments/${payment.id}" data-action class="inline">${actions.map(
          ({ action, label }) => html`<button type="submit" name="action" value="${action}">${label}</button>`,
        )}</form>`
      : '';
  return html`<td data-label="Paiement" data-payment="${payment.status}"><span class="status payment-${payment.status}">${PAYMENT_LABELS[payment.status]}</span> <span class="muted">${PROVIDERS[payment.provider]}</span>${received}${form}</td>`;
}
