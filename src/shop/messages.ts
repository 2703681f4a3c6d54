import type { OrderRejectedError } from '../store/errors.js';
import type { OrderRequest, PlacedOrder } from '../store/types.js';
import { formatFcfa } from './format.js';

/** The owner's notice of a new order: everything needed to prepare and deliver it. */
export function ownerOrderNotice(order: PlacedOrder, request: OrderRequest): string {
  return [
    `🛍️ Nouvelle commande n°${order.number}`,
    `Client : ${order.customerName}, ${order.phone} (${request.channel})`,
    ...order.lines.map((line) => `• ${line.productName}${line.size ? ` (${line.size})` : ''} × ${line.quantity} : ${formatFcfa(line.lineTotalFcfa)}`),
    `Livraison ${order.zone.name} : ${formatFcfa(order.deliveryFeeFcfa)} (${order.zone.delay})`,
    `Total : ${formatFcfa(order.totalFcfa)}`,
  ].join('\n');
}

/**
 * The customer's confirmation of a recorded order, whichever way it was placed (the guided
 * checkout, the model's `place_order`, or the queue once the database is back): the one
 * place that says "commande enregistrée", so what it carries (a payment link) is added once.
 */
export function customerConfirmation(order: PlacedOrder): string {
  return [
    `✅ Votre commande n°${order.number} est enregistrée !`,
    ...order.lines.map((line) => `• ${line.productName}${line.size && !/^unique$/i.test(line.size) ? ` (${line.size})` : ''}${line.quantity > 1 ? ` × ${line.quantity}` : ''}`),
    `Livraison ${order.zone.name} : ${formatFcfa(order.deliveryFeeFcfa)}, ${order.zone.delay}`,
    `Total : ${formatFcfa(order.totalFcfa)}`,
    'Merci pour votre confiance 🙏',
  ].join('\n');
}

/** Told to a customer whose order waits in the queue while the database is down. */
export function customerOrderQueued(reference: string): string {
  return [
    `Merci ! Votre commande est bien reçue (réf. ${reference}) 🙏`,
    "Notre système l'enregistre dans quelques minutes : vous recevrez ici la confirmation avec son numéro et le total.",
  ].join('\n');
}

/** Told to a customer whose waiting order could not be placed after all. */
export function customerRejectedLater(error: OrderRejectedError): string {
  return `Désolé, nous n'avons pas pu enregistrer votre commande : ${error.message}. Écrivez-nous et nous trouvons une autre solution ensemble 🙏`;
}

/** Told to the owner in the same case, so a person can call the customer back. */
export function ownerRejectedNotice(request: OrderRequest, error: OrderRejectedError): string {
  return `⚠️ Commande en attente refusée (${error.code}) pour ${request.customerName}, ${request.phone} (${request.channel}) : ${error.message}`;
}
