/** A dashboard store answering from the crafted month through the pure functions (no database). */
import { conversationStatsOf } from '../../src/records/figures.js';
import { OrderRejectedError, StoreError } from '../../src/store/errors.js';
import type { ConversationTimeline, RecentOrder, StatsQuery, TimelineQuery } from '../../src/store/records.js';
import type { OrderStatus } from '../../src/store/types.js';
import { craftedHistory } from '../records/history.js';

export const ORDER_ID = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';

function order(number: number, status: OrderStatus, customerName: string, channel: string): RecentOrder {
  return {
    orderId: number === 1042 ? ORDER_ID : `00000000-0000-4000-8000-00000000${number}`,
    number,
    status,
    zone: { name: 'Marcory', feeFcfa: 2000, delay: '24–48 h' },
    lines: [{ productId: 'p', productName: 'Robe Cocktail Bordeaux', size: 'M', quantity: 1, unitPriceFcfa: 45_000, lineTotalFcfa: 45_000 }],
    subtotalFcfa: 45_000,
    deliveryFeeFcfa: 2000,
    totalFcfa: 47_000,
    customerName,
    phone: '+2250707070707',
    createdAt: '2026-11-24T18:35:00.000Z',
    duplicate: false,
    channel,
    chatId: 'T1',
    payment: null,
  };
}

/** The fake store, with a switch to take it down and a log of status changes. */
export function fixtureStore() {
  const history = craftedHistory();
  const statusCalls: [string, OrderStatus][] = [];
  const state = { down: false };
  const guard = (operation: string) => {
    if (state.down) throw new StoreError(operation, { code: 'store_unavailable', message: 'connection refused' });
  };
  return {
    history,
    statusCalls,
    state,
    async conversationStats(query: StatsQuery) {
      guard('events.stats');
      return conversationStatsOf(history.events, history.orders, query);
    },
    async listRecentOrders(): Promise<RecentOrder[]> {
      guard('orders.recent');
      return [order(1042, 'pending', 'Awa <img src=x onerror=alert(1)>', 'telegram'), order(1041, 'delivered', 'Adjoua', 'web')];
    },
    async listRecentConversations(query: TimelineQuery): Promise<ConversationTimeline[]> {
      guard('events.recent');
      const chats = new Map<string, ConversationTimeline>();
      for (const event of history.events) {
        if (event.at < query.since) continue;
        const key = `${event.channel}:${event.chatId}`;
        const chat = chats.get(key) ?? { channel: event.channel, chatId: event.chatId, customerName: null, lastAt: 0, events: [] };
        chats.set(key, {
          ...chat,
          customerName: event.customerName ?? chat.customerName,
          lastAt: Math.max(chat.lastAt, event.at),
          events: [...chat.events, event].sort((a, b) => a.at - b.at),
        });
      }
      return [...chats.values()].sort((a, b) => b.lastAt - a.lastAt).slice(0, query.limit ?? 20);
    },
    async setOrderStatus(orderId: string, status: OrderStatus) {
      guard('orders.set_status');
      if (orderId !== ORDER_ID) throw new OrderRejectedError('unknown_order', 'Commande introuvable.');
      statusCalls.push([orderId, status]);
    },
  };
}
