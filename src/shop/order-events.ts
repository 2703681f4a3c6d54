import type { Deliveries } from '../durable/deliveries.js';
import { customerConfirmation, customerRejectedLater, ownerOrderNotice, ownerRejectedNotice } from './messages.js';
import type { OrderDeskEvents } from './orders.js';
import type { NotifyOwner } from './owner.js';
import type { Payments } from './payments/payments.js';

/**
 * Who is told what about an order: the owner of every new order (once, even if the model placed
 * it twice); the customer whose order waited for the database, once it is recorded or refused
 * (the customer of an order recorded at once was told in the conversation); and, with mobile
 * money, the customer's payment link right after (the one start of a payment, whichever flow
 * recorded the order).
 */
export function orderEvents(options: {
  notifyOwner: NotifyOwner;
  deliveries: Deliveries;
  payments?: Pick<Payments, 'startPayment'>;
}): OrderDeskEvents {
  const { notifyOwner, deliveries, payments } = options;
  return {
    async recorded(order, request, { fromQueue }) {
      if (order.duplicate && !fromQueue) return;
      await notifyOwner(`owner-order-${order.orderId}`, ownerOrderNotice(order, request));
      if (fromQueue) {
        const text = customerConfirmation(order);
        await deliveries.send(`customer-order-${order.orderId}`, { channel: request.channel, chatId: request.chatId, text, customer: true });
      }
      const { channel, chatId } = request;
      await payments?.startPayment({ orderId: order.orderId, orderNumber: order.number, amountFcfa: order.totalFcfa, channel, chatId });
    },
    async rejectedLater(request, error) {
      await notifyOwner(`owner-rejected-${request.idempotencyKey}`, ownerRejectedNotice(request, error));
      const text = customerRejectedLater(error);
      await deliveries.send(`customer-rejected-${request.idempotencyKey}`, { channel: request.channel, chatId: request.chatId, text, customer: true });
    },
  };
}
