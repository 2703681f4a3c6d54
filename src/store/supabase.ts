/**
 * The production store: Supabase's data API (PostgREST) with the service-role key. Reads
 * go to the tables, writes only through the `place_order` / `set_order_status` functions.
 */
import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import { fromDatabaseError, StoreError } from './errors.js';
import {
  assertOrderId,
  placeOrderArgs,
  PRODUCT_COLUMNS,
  quoteOrderArgs,
  toOrderQuote,
  toPlacedOrder,
  UUID,
  toProducts,
  toZones,
  ZONE_COLUMNS,
} from './sql.js';
import {
  eventsArg,
  statsArgs,
  timelineArgs,
  toConversationStats,
  toFoundOrder,
  toRecentOrders,
  toTimelines,
  type ConversationEvent,
} from './records.js';
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
import type { DeliveryZone, OrderQuote, OrderRequest, OrderStatus, PlacedOrder, Product, QuoteRequest, Store } from './types.js';

/** Options of {@link createSupabaseStore}. */
export interface SupabaseStoreOptions {
  /** Project URL, e.g. `https://xyzcompany.supabase.co`. */
  readonly url: string;
  /** The service-role (secret) key: the tables are closed to every other role. */
  readonly serviceRoleKey: string;
  /** Replaces the global `fetch` (tests, proxies). */
  readonly fetch?: typeof fetch;
  /** Gives up on a request after this long, as `store_unavailable` (default 10 000 ms). */
  readonly timeoutMs?: number;
}

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;

/**
 * supabase-js builds a realtime client eagerly and, on Node < 22 (no global WebSocket),
 * throws unless given a transport. The bot never subscribes, so this one only fails if used.
 */
const noRealtime = function realtimeUnused(): never {
  throw new Error('akwaba does not use Supabase realtime');
} as unknown as RealtimeTransport;

/** What every postgrest-js call resolves to, once `data` is treated as unknown. */
interface Response {
  readonly data: unknown;
  readonly error: { code?: string; message?: string; details?: string | null; hint?: string | null } | null;
  readonly status: number;
}

/**
 * A store backed by a Supabase project whose database has the `supabase/migrations` applied.
 * Creating it does not contact the server; call `ping()` to check the connection.
 */
export function createSupabaseStore(options: SupabaseStoreOptions): Store {
  const client = createClient(options.url, options.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: options.fetch ? { fetch: options.fetch } : {},
    db: { timeout: options.timeoutMs ?? 10_000 },
    realtime: { transport: noRealtime },
  });
  let closed = false;

  async function run<T>(operation: string, request: () => PromiseLike<Response>, map: (data: unknown) => T): Promise<T> {
    if (closed) throw new StoreError(operation, { code: 'store_unavailable', message: 'store is closed' });
    let response: Response;
    try {
      response = await request();
    } catch (error) {
      throw new StoreError(operation, { code: 'store_unavailable', cause: error });
    }
    const { error, status } = response;
    if (error) {
      // status 0: fetch failed or timed out; 5xx: PostgREST or the database is down or overloaded
      const unavailable = status === 0 || status >= 500 || status === 408 || status === 429;
      throw fromDatabaseError(
        operation,
        { code: error.code, message: error.message, detail: error.details, hint: error.hint },
        error,
        unavailable,
      );
    }
    return map(response.data);
  }

  // Retries are the caller's business (the order queue): postgrest-js would otherwise silently
  // retry reads for up to 7 s while a customer waits.
  return {
    kind: 'supabase',

    listProducts: (): Promise<Product[]> =>
      run(
        'catalog.list',
        () =>
          client
            .from('products')
            .select(`${PRODUCT_COLUMNS}, product_variants(size, stock)`)
            .eq('active', true)
            .retry(false),
        (data) => toProducts('catalog.list', data),
      ),

    listZones: (): Promise<DeliveryZone[]> =>
      run(
        'zones.list',
        () => client.from('delivery_zones').select(ZONE_COLUMNS).eq('active', true).retry(false),
        (data) => toZones('zones.list', data),
      ),

    placeOrder: (request: OrderRequest): Promise<PlacedOrder> =>
      run(
        'orders.place',
        () => client.rpc('place_order', placeOrderArgs(request)).retry(false),
        (data) => toPlacedOrder('orders.place', data),
      ),

    quoteOrder: (request: QuoteRequest): Promise<OrderQuote> =>
      run(
        'orders.quote',
        () => client.rpc('quote_order', quoteOrderArgs(request)).retry(false),
        (data) => toOrderQuote('orders.quote', data),
      ),

    listCustomerOrders: (channel: string, chatId: string, limit = 5) =>
      run(
        'orders.customer',
        () => client.rpc('customer_orders', { p_channel: channel, p_chat_id: chatId, p_limit: limit }).retry(false),
        (data) => toRecentOrders('orders.customer', data),
      ),

    findOrder: async (orderId: string) => {
      if (!UUID.test(orderId)) return null;
      return run(
        'orders.find',
        () => client.rpc('order_by_id', { p_order_id: orderId }).retry(false),
        (data) => toFoundOrder('orders.find', data),
      );
    },

    setOrderStatus: async (orderId: string, status: OrderStatus): Promise<void> => {
      assertOrderId(orderId);
      await run(
        'orders.set_status',
        () => client.rpc('set_order_status', { p_order_id: orderId, p_status: status }).retry(false),
        () => undefined,
      );
    },

    listRecentOrders: (limit = 20) =>
      run(
        'orders.recent',
        () => client.rpc('recent_orders', { p_limit: limit }).retry(false),
        (data) => toRecentOrders('orders.recent', data),
      ),

    recordEvents: async (events: readonly ConversationEvent[]): Promise<void> => {
      if (events.length === 0) return;
      await run(
        'events.record',
        () => client.rpc('record_conversation_events', { p_events: eventsArg(events) }).retry(false),
        () => undefined,
      );
    },

    conversationStats: (query) =>
      run(
        'events.stats',
        () => client.rpc('conversation_stats', statsArgs(query)).retry(false),
        (data) => toConversationStats('events.stats', data),
      ),

    listRecentConversations: (query) =>
      run(
        'events.recent',
        () => client.rpc('recent_conversations', timelineArgs(query)).retry(false),
        (data) => toTimelines('events.recent', data),
      ),

    openPayment: async (payment) => {
      assertOrderId(payment.orderId);
      return run('payments.open', () => client.rpc('open_payment', openPaymentArgs(payment)).retry(false), (data) =>
        toPaymentChange('payments.open', data),
      );
    },

    settlePayment: async (paymentId, settlement) => {
      assertOrderId(paymentId);
      return run('payments.settle', () => client.rpc('settle_payment', settlePaymentArgs(paymentId, settlement)).retry(false), (data) =>
        toPaymentChange('payments.settle', data),
      );
    },

    schedulePaymentCheck: async (paymentId, nextCheckAt) => {
      assertOrderId(paymentId);
      const args = { p_payment_id: paymentId, p_next_check_at: new Date(nextCheckAt).toISOString() };
      await run('payments.schedule', () => client.rpc('schedule_payment_check', args).retry(false), () => undefined);
    },

    markPaymentNotified: async (paymentId, status) => {
      assertOrderId(paymentId);
      const args = { p_payment_id: paymentId, p_status: status };
      await run('payments.notified', () => client.rpc('mark_payment_notified', args).retry(false), () => undefined);
    },

    findPayment: (query) =>
      run('payments.find', () => client.rpc('find_payment', { p_query: findPaymentArg(query) }).retry(false), (data) =>
        toPaymentOrNull('payments.find', data),
      ),

    listPayments: (query) =>
      run('payments.list', () => client.rpc('list_payments', listPaymentsArgs(query)).retry(false), (data) =>
        toPayments('payments.list', data),
      ),

    paymentTotals: (query) =>
      run('payments.totals', () => client.rpc('payment_totals', paymentTotalsArgs(query)).retry(false), (data) =>
        toPaidTotals('payments.totals', data),
      ),

    ping: (): Promise<void> =>
      run(
        'store.ping',
        () => client.from('products').select('id').limit(1).retry(false),
        () => undefined,
      ),

    close: async (): Promise<void> => {
      closed = true;
      await client.removeAllChannels();
    },
  };
}
