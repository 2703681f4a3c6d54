/**
 * Every sentence the payments say, to the customer (on their own channel) and to the owner
 * (on Telegram). Amounts always come from the recorded payment or order.
 */
import type { Payment } from '../../store/payments.js';
import { formatFcfa } from '../format.js';

/** What the customer reads about one order's payment. */
export interface PaymentFacts {
  readonly orderNumber: number;
  readonly amountFcfa: number;
}

/** The message that carries the link, right after the order; the button says {@link payButtonLabel}. */
export function linkMessage(facts: PaymentFacts, providerLabel: string): string {
  return (
    `💳 Commande n°${facts.orderNumber} : ${formatFcfa(facts.amountFcfa)} à régler.\n` +
    `Payez maintenant par ${providerLabel} juste en dessous, ou en espèces à la livraison si vous préférez.`
  );
}

/** The words of the pay button. */
export function payButtonLabel(facts: PaymentFacts): string {
  return `Payer ${formatFcfa(facts.amountFcfa)}`;
}

/** The provider could not make the link at once: it follows. */
export function linkFollowsMessage(facts: PaymentFacts): string {
  return (
    `💳 Le lien pour payer la commande n°${facts.orderNumber} (${formatFcfa(facts.amountFcfa)}) arrive ici dans quelques minutes. ` +
    'Vous pouvez aussi payer en espèces à la livraison.'
  );
}

/** No link after all: cash on delivery. */
export function noLinkMessage(facts: PaymentFacts): string {
  return `Le paiement en ligne n'est pas possible pour la commande n°${facts.orderNumber} : vous paierez ${formatFcfa(facts.amountFcfa)} en espèces à la livraison 🙏`;
}

/** The owner's word when a link could not be made. */
export function ownerNoLinkNotice(facts: PaymentFacts, providerLabel: string, reason: string): string {
  return `⚠️ Lien de paiement non créé pour la commande n°${facts.orderNumber} (${providerLabel} : ${reason}). Le client paiera à la livraison.`;
}

/** The customer's news of a payment that changed, or `null` when there is nothing to say. */
export function customerPaymentNews(payment: Payment): string | null {
  const amount = formatFcfa(payment.amountFcfa);
  switch (payment.status) {
    case 'paid':
      return `Paiement reçu ✅ — ${amount}, commande n°${payment.orderNumber}. Merci ! Nous préparons votre livraison.`;
    case 'review':
      return `Nous avons bien reçu un paiement pour la commande n°${payment.orderNumber}, mais il ne correspond pas au total de ${amount}. La boutique le vérifie et revient vers vous ici 🙏`;
    case 'failed':
      return `Le paiement de la commande n°${payment.orderNumber} n'a pas abouti. Pas d'inquiétude : vous pourrez payer ${amount} en espèces à la livraison.`;
    default:
      return null;
  }
}

/** The owner's news of a payment that changed, or `null` when there is nothing to say. */
export function ownerPaymentNews(payment: Payment, providerLabel: string): string | null {
  const amount = formatFcfa(payment.amountFcfa);
  switch (payment.status) {
    case 'paid':
      return `💰 Paiement reçu — commande n°${payment.orderNumber} : ${amount} par ${providerLabel} (réf. ${payment.reference}).`;
    case 'review':
      return (
        `⚠️ Paiement à vérifier — commande n°${payment.orderNumber} : ${payment.detail ?? 'montant inattendu'} (${providerLabel}, réf. ${payment.reference}). ` +
        "Il n'est pas compté comme payé : voyez le tableau de bord."
      );
    default:
      return null;
  }
}

/** The answer to "j'ai payé", once the provider was asked. */
export function paymentCheckAnswer(payment: Payment | null, providerLabel: string): string {
  if (!payment) return "Je ne trouve pas de paiement en ligne pour vos commandes. Si vous avez payé autrement, une personne de la boutique vérifiera 🙏";
  const amount = formatFcfa(payment.amountFcfa);
  const order = `la commande n°${payment.orderNumber}`;
  switch (payment.status) {
    case 'paid':
      return `C'est bien reçu ✅ Votre paiement de ${amount} pour ${order} est confirmé. Merci !`;
    case 'pending':
      return (
        `Je ne vois pas encore votre paiement de ${amount} pour ${order} chez ${providerLabel}. ` +
        "S'il vient d'être fait, il peut prendre une minute : je vous préviens ici dès qu'il arrive."
      );
    case 'review':
      return `Votre paiement pour ${order} est en cours de vérification par la boutique : elle revient vers vous ici 🙏`;
    case 'refunded':
      return `Le paiement de ${order} vous a été remboursé.`;
    default:
      return `Le paiement de ${order} n'a pas abouti. Vous pouvez payer ${amount} en espèces à la livraison.`;
  }
}

/** When the payment cannot be checked right now. */
export const CHECK_UNAVAILABLE =
  "Je n'arrive pas à vérifier votre paiement pour le moment 🙏 Je réessaie et je vous préviens ici dès qu'il est confirmé.";
