/**
 * The store's queries over any PostgreSQL connection: the embedded database (PGlite) or, in
 * shared mode, a `pg` pool. It imports no database client, so shared mode loads no PGlite.
 */
import { fromDatabaseError, OrderRejectedError, readDatabaseError, StoreError } from './errors.js';
import {
  assertOrderId,
  UUID,
  placeOrderArgs,
  PRODUCT_COLUMNS,
  quoteOrderArgs,
  toOrderQuote,
  toPlacedOrder,
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
  type ConversationStats,
  type ConversationTimeline,
  type RecentOrder,
  type StatsQuery,
  type TimelineQuery,
} from './records.js';
import { embeddedPaymentMethods, type PaymentMethods } from './embedded-payments.js';
import type { Payment, PaymentListQuery, PaymentQuery, PaymentSettlement, NewPayment } from './payments.js';
import type { DeliveryZone, OrderQuote, OrderRequest, OrderStatus, PlacedOrder, Product, QuoteRequest, Store } from './types.js';

const LIST_PRODUCTS = `
  SELECT ${PRODUCT_COLUMNS},
         coalesce((SELECT json_agg(json_build_object('size', v.size, 'stock', v.stock))
                   FROM public.product_variants v WHERE v.product_id = p.id), '[]'::json) AS product_variants
  FROM public.products p
  WHERE p.active`;

const LIST_ZONES = `SELECT ${ZONE_COLUMNS} FROM public.delivery_zones WHERE active`;

const PLACE_ORDER = 'SELECT public.place_order($1, $2, $3, $4, $5, $6, $7::jsonb) AS result';

/** What the store's queries need of a database: PGlite, or a `pg` pool (shared mode). */
export interface SqlConnection {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  close(): Promise<void>;
}

/** The store over an open, migrated database (shared mode passes a `pg` pool as `postgres`). */
export function storeOn(db: SqlConnection, kind: Store['kind'] = 'embedded'): Store {
  return new SqlStore(db, kind);
}

class SqlStore implements Store {
  #closed = false;
  readonly #payments: PaymentMethods;

  constructor(
    private readonly db: SqlConnection,
    readonly kind: Store['kind'],
  ) {
    this.#payments = embeddedPaymentMethods((operation, sql, params) =>
      this.run(operation, async () => (await this.db.query<{ result: unknown }>(sql, [...params])).rows[0]?.result),
    );
  }

  listProducts(): Promise<Product[]> {
    return this.run('catalog.list', async () => toProducts('catalog.list', (await this.db.query(LIST_PRODUCTS)).rows));
  }

  listZones(): Promise<DeliveryZone[]> {
    return this.run('zones.list', async () => toZones('zones.list', (await this.db.query(LIST_ZONES)).rows));
  }

  placeOrder(request: OrderRequest): Promise<PlacedOrder> {
    return this.run('orders.place', async () => {
      const args = placeOrderArgs(request);
      const { rows } = await this.db.query<{ result: unknown }>(PLACE_ORDER, [
        args.p_idempotency_key,
        args.p_channel,
        args.p_chat_id,
        args.p_customer_name,
        args.p_phone,
        args.p_zone,
        JSON.stringify(args.p_lines),
      ]);
      return toPlacedOrder('orders.place', rows[0]?.result);
    });
  }

  quoteOrder(request: QuoteRequest): Promise<OrderQuote> {
    return this.run('orders.quote', async () => {
      const args = quoteOrderArgs(request);
      const { rows } = await this.db.query<{ result: unknown }>('SELECT public.quote_order($1, $2::jsonb) AS result', [
        args.p_zone,
        JSON.stringify(args.p_lines),
      ]);
      return toOrderQuote('orders.quote', rows[0]?.result);
    });
  }

  listCustomerOrders(channel: string, chatId: string, limit = 5): Promise<RecentOrder[]> {
    return this.run('orders.customer', async () => {
      const { rows } = await this.db.query<{ result: unknown }>('SELECT public.customer_orders($1, $2, $3) AS result', [channel, chatId, limit]);
      return toRecentOrders('orders.customer', rows[0]?.result);
    });
  }

  findOrder(orderId: string): Promise<RecentOrder | null> {
    return this.run('orders.find', async () => {
      if (!UUID.test(orderId)) return null;
      const { rows } = await this.db.query<{ result: unknown }>('SELECT public.order_by_id($1::uuid) AS result', [orderId]);
      return toFoundOrder('orders.find', rows[0]?.result);
    });
  }

  setOrderStatus(orderId: string, status: OrderStatus): Promise<void> {
    return this.run('orders.set_status', async () => {
      assertOrderId(orderId);
      await this.db.query('SELECT public.set_order_status($1::uuid, $2)', [orderId, status]);
    });
  }

  listRecentOrders(limit = 20): Promise<RecentOrder[]> {
    return this.run('orders.recent', async () => {
      const { rows } = await this.db.query<{ result: unknown }>('SELECT public.recent_orders($1) AS result', [limit]);
      return toRecentOrders('orders.recent', rows[0]?.result);
    });
  }

  recordEvents(events: readonly ConversationEvent[]): Promise<void> {
    return this.run('events.record', async () => {
      if (events.length === 0) return;
      await this.db.query('SELECT public.record_conversation_events($1::jsonb)', [JSON.stringify(eventsArg(events))]);
    });
  }

  conversationStats(query: StatsQuery): Promise<ConversationStats> {
    return this.run('events.stats', async () => {
      const args = statsArgs(query);
      const { rows } = await this.db.query<{ result: unknown }>('SELECT public.conversation_stats($1, $2, $3, $4) AS result', [
        args.p_from,
        args.p_to,
        args.p_recovery_window_seconds,
        args.p_now,
      ]);
      return toConversationStats('events.stats', rows[0]?.result);
    });
  }

  listRecentConversations(query: TimelineQuery): Promise<ConversationTimeline[]> {
    return this.run('events.recent', async () => {
      const args = timelineArgs(query);
      const { rows } = await this.db.query<{ result: unknown }>('SELECT public.recent_conversations($1, $2, $3) AS result', [
        args.p_since,
        args.p_limit,
        args.p_events,
      ]);
      return toTimelines('events.recent', rows[0]?.result);
    });
  }

  openPayment(payment: NewPayment) {
    return this.#payments.openPayment(payment);
  }

  settlePayment(paymentId: string, settlement: PaymentSettlement) {
    return this.#payments.settlePayment(paymentId, settlement);
  }

  schedulePaymentCheck(paymentId: string, nextCheckAt: number) {
    return this.#payments.schedulePaymentCheck(paymentId, nextCheckAt);
  }

  markPaymentNotified(paymentId: string, status: Payment['status']) {
    return this.#payments.markPaymentNotified(paymentId, status);
  }

  findPayment(query: PaymentQuery) {
    return this.#payments.findPayment(query);
  }

  listPayments(query: PaymentListQuery) {
    return this.#payments.listPayments(query);
  }

  paymentTotals(query: { from: number; to: number }) {
    return this.#payments.paymentTotals(query);
  }

  ping(): Promise<void> {
    return this.run('store.ping', async () => void (await this.db.query('SELECT 1')));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.db.close();
    } catch (error) {
      throw new StoreError('store.close', { cause: error });
    }
  }

  private async run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreError(operation, { code: 'store_unavailable', message: 'store is closed' });
    try {
      return await work();
    } catch (error) {
      throw toStoreError(operation, error);
    }
  }
}

/** A database failure as the store's error: a refused order, or a `StoreError` naming the operation. */
export function toStoreError(operation: string, error: unknown): StoreError | OrderRejectedError {
  if (error instanceof StoreError || error instanceof OrderRejectedError) return error;
  const fields = readDatabaseError(error);
  if (fields) return fromDatabaseError(operation, fields, error);
  // no SQLSTATE: the engine itself broke (closed, out of memory, aborted WebAssembly)
  return new StoreError(operation, { code: 'store_unavailable', cause: error });
}
