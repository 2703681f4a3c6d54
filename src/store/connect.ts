import type { Config } from '../infra/config/index.js';
import type { Logger } from '../infra/logger.js';
import { StoreError } from './errors.js';
import type { Store } from './types.js';

/**
 * The store the configuration names: Supabase when `SUPABASE_URL` is set, the embedded
 * database in `DATA_DIR` otherwise. Never throws: a database that cannot be opened yields a
 * store whose every call fails with `store_unavailable`, so the bot still starts, answers
 * (fallback, catalogue cache) and keeps orders in its queue.
 */
export async function createStore(config: Config, logger: Logger): Promise<Store> {
  // Only the database in use is loaded: each client weighs 5–10 MB that the other mode never needs.
  if (config.supabase) return (await import('./supabase.js')).createSupabaseStore(config.supabase);
  try {
    await (await import('./prepare.js')).prepareEmbeddedDatabase(config.dataDir, logger);
    return await (await import('./embedded.js')).createEmbeddedStore({ dataDir: config.dataDir });
  } catch (error) {
    logger.error({ err: error }, `embedded database in ${config.dataDir} cannot be opened; running without it`);
    return unavailableStore(error);
  }
}

/** A store that is down: every call fails with `store_unavailable`. */
export function unavailableStore(cause: unknown): Store {
  const fail = (operation: string) => async (): Promise<never> => {
    throw new StoreError(operation, { code: 'store_unavailable', cause });
  };
  return {
    kind: 'embedded',
    listProducts: fail('products.list'),
    listZones: fail('zones.list'),
    placeOrder: fail('orders.place'),
    quoteOrder: fail('orders.quote'),
    listCustomerOrders: fail('orders.customer'),
    findOrder: fail('orders.find'),
    setOrderStatus: fail('orders.status'),
    listRecentOrders: fail('orders.recent'),
    recordEvents: fail('events.record'),
    conversationStats: fail('events.stats'),
    listRecentConversations: fail('events.recent'),
    openPayment: fail('payments.open'),
    settlePayment: fail('payments.settle'),
    schedulePaymentCheck: fail('payments.schedule'),
    markPaymentNotified: fail('payments.notified'),
    findPayment: fail('payments.find'),
    listPayments: fail('payments.list'),
    paymentTotals: fail('payments.totals'),
    ping: fail('store.ping'),
    close: async () => undefined,
  };
}
