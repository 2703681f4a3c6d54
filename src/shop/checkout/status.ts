/**
 * After the order: "où en est ma commande ?" answered from the database, and the owner's
 * changes of status (confirmed, delivered, cancelled) told to the customer.
 */
import type { Logger } from '../../infra/logger.js';
import type { RecentOrder } from '../../store/records.js';
import type { OrderStatus, Store } from '../../store/types.js';
import { formatFcfa } from '../format.js';
import type { CheckoutState } from './state.js';
import { describeItem } from './state.js';

const dayOf = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', timeZone: 'UTC' });

/** Where an order stands, as the customer is told. */
export const STATUS_WORDS: Readonly<Record<OrderStatus, string>> = {
  pending: '⏳ reçue, en attente de confirmation par la boutique',
  confirmed: '✅ confirmée, en préparation pour la livraison',
  delivered: '📦 livrée',
  cancelled: '❌ annulée',
};

function orderLine(order: RecentOrder): string {
  const items = order.lines.map((line) => describeItem({ slug: '', name: line.productName, size: line.size, quantity: line.quantity })).join(', ');
  const delivery = order.status === 'pending' || order.status === 'confirmed' ? `\nLivraison à ${order.zone.name} (${order.zone.delay}).` : '';
  return `Commande n°${order.number} du ${dayOf.format(Date.parse(order.createdAt))} : ${STATUS_WORDS[order.status]}\n${items} — total ${formatFcfa(order.totalFcfa)}.${delivery}`;
}

/**
 * The answer to "où en est ma commande ?": the chat's latest orders from the database (at
 * most three), or what the checkout knows of one still waiting for the database, or a plain
 * "no order here". While the database is down, says so rather than guess.
 */
export async function orderStatusAnswer(
  customer: { readonly channel: string; readonly chatId: string },
  state: CheckoutState | undefined,
  deps: { readonly store: Pick<Store, 'listCustomerOrders'>; readonly logger: Pick<Logger, 'warn'> },
): Promise<string> {
  let orders: RecentOrder[];
  try {
    orders = await deps.store.listCustomerOrders(customer.channel, customer.chatId, 3);
  } catch (error) {
    deps.logger.warn({ err: error }, 'checkout: order status unavailable');
    if (state?.order?.status === 'queued') return queuedAnswer(state.order.reference);
    return "Je ne peux pas consulter les commandes pour le moment 🙏 Réessayez dans quelques minutes, ou écrivez-nous ici et une personne de la boutique vous répondra.";
  }
  if (orders.length === 0) {
    if (state?.order?.status === 'queued') return queuedAnswer(state.order.reference);
    return "Je ne trouve pas de commande passée depuis cette conversation 🤔 Si vous avez commandé autrement, une personne de la boutique vous répondra ici.";
  }
  return orders.map(orderLine).join('\n\n');
}

function queuedAnswer(reference: string | undefined): string {
  return `Votre commande${reference ? ` (réf. ${reference})` : ''} est bien reçue ✅ Elle est en cours d'enregistrement : la confirmation avec son numéro et le total arrive ici même.`;
}

/** What the customer is told when the owner moves an order on; `undefined` for nothing to tell. */
export function statusChangeNotice(order: RecentOrder, status: OrderStatus): string | undefined {
  if (status === 'confirmed') {
    return `✅ Bonne nouvelle : votre commande n°${order.number} est confirmée ! Livraison à ${order.zone.name} (${order.zone.delay}). Total : ${formatFcfa(order.totalFcfa)}.`;
  }
  if (status === 'delivered') return `📦 Votre commande n°${order.number} est livrée. Merci pour votre confiance, à bientôt chez nous 🙏`;
  if (status === 'cancelled') {
    return `Votre commande n°${order.number} a été annulée. Pour toute question, écrivez-nous ici : une personne de la boutique vous répondra 🙏`;
  }
  return undefined;
}

/** What tells the customer of a change of status: found by id, sent durably, once per status. */
export interface OrderUpdates {
  /** Called after the owner changed the status; never throws. */
  statusChanged(orderId: string, status: OrderStatus): Promise<void>;
}

/**
 * Creates the teller of status changes.
 *
 * @param options.send a durable send (the app's deliveries): the key makes each notice go once.
 */
export function createOrderUpdates(options: {
  readonly store: Pick<Store, 'findOrder'>;
  readonly send: (key: string, delivery: { channel: string; chatId: string; text: string }) => Promise<void>;
  readonly logger: Pick<Logger, 'warn' | 'info'>;
}): OrderUpdates {
  return {
    async statusChanged(orderId, status) {
      try {
        const order = await options.store.findOrder(orderId);
        const text = order ? statusChangeNotice(order, status) : undefined;
        if (!order || !text) return;
        await options.send(`customer-status-${order.orderId}-${status}`, { channel: order.channel, chatId: order.chatId, text });
        options.logger.info({ order: order.number, status }, 'customer told of the order status');
      } catch (error) {
        options.logger.warn({ err: error, status }, 'customer not told of the order status');
      }
    },
  };
}
