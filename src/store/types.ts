import type {
  ConversationEvent,
  ConversationStats,
  ConversationTimeline,
  RecentOrder,
  StatsQuery,
  TimelineQuery,
} from './records.js';
import type {
  DailyPaidTotal,
  NewPayment,
  Payment,
  PaymentChange,
  PaymentListQuery,
  PaymentQuery,
  PaymentSettlement,
} from './payments.js';

/**
 * The shop's data, as the rest of akwaba sees it: camelCase, amounts in FCFA (integers),
 * whichever database is behind the {@link Store}.
 */

/** One size of a product and how many are left. */
export interface ProductSize {
  readonly size: string;
  readonly stock: number;
}

/** A product on sale (inactive products are never listed). */
export interface Product {
  readonly id: string;
  /** Stable, human-readable id, e.g. `robe-cocktail-bordeaux`; accepted wherever an id is. */
  readonly slug: string;
  readonly name: string;
  readonly description: string;
  /** e.g. `robes`, `ensembles`, `chemises`, `pantalons`, `jupes`, `accessoires`. */
  readonly category: string;
  readonly priceFcfa: number;
  readonly photoUrl: string | null;
  /** Every size, out-of-stock ones included (stock 0), smallest first. */
  readonly sizes: ProductSize[];
}

/** A commune or neighbourhood the shop delivers to. */
export interface DeliveryZone {
  readonly id: string;
  readonly name: string;
  /** Other names customers use, e.g. `Zone 4` for Marcory. */
  readonly aliases: string[];
  readonly feeFcfa: number;
  /** Free text shown to customers, e.g. `24–48 h`. */
  readonly delay: string;
}

/** One line of an order as the customer asked for it. Prices are never part of a request. */
export interface OrderLineRequest {
  /** Product uuid or slug. */
  readonly productId: string;
  /** Case-insensitive; may be empty for one-size items. */
  readonly size: string;
  readonly quantity: number;
}

/** Everything needed to place an order. */
export interface OrderRequest {
  /** Same key ⇒ same order: retries return the first result instead of ordering twice. */
  readonly idempotencyKey: string;
  readonly channel: string;
  readonly chatId: string;
  readonly customerName: string;
  /** E.164, e.g. `+2250707070707`. */
  readonly phone: string;
  /** Zone id, name or alias; case- and accent-insensitive (`port bouet` finds Port-Bouët). */
  readonly zone: string;
  readonly lines: readonly OrderLineRequest[];
}

/** Lifecycle of an order. */
export type OrderStatus = 'pending' | 'confirmed' | 'delivered' | 'cancelled';

/** Every {@link OrderStatus}, for validation. */
export const ORDER_STATUSES: readonly OrderStatus[] = ['pending', 'confirmed', 'delivered', 'cancelled'];

/** A line of a placed order, priced by the database at order time. */
export interface PlacedOrderLine {
  readonly productId: string;
  readonly productName: string;
  readonly size: string;
  readonly quantity: number;
  readonly unitPriceFcfa: number;
  readonly lineTotalFcfa: number;
}

/** An order as recorded: what to confirm to the customer. */
export interface PlacedOrder {
  readonly orderId: string;
  /** The human "commande n°". */
  readonly number: number;
  readonly status: OrderStatus;
  readonly zone: { readonly name: string; readonly feeFcfa: number; readonly delay: string };
  readonly lines: PlacedOrderLine[];
  readonly subtotalFcfa: number;
  readonly deliveryFeeFcfa: number;
  readonly totalFcfa: number;
  readonly customerName: string;
  readonly phone: string;
  /** ISO 8601 timestamp. */
  readonly createdAt: string;
  /** True when the idempotency key had already been used: this is the earlier order. */
  readonly duplicate: boolean;
}

/** A cart to price: where it goes and what is in it. */
export interface QuoteRequest {
  /** Zone id, name or alias, as for {@link OrderRequest.zone}. */
  readonly zone: string;
  readonly lines: readonly OrderLineRequest[];
}

/** A line of a quote: a placed line's fields and the product's slug. */
export interface QuotedLine extends PlacedOrderLine {
  readonly slug: string;
}

/** What a cart costs, as the database computes it (items + the zone's fee); nothing is reserved. */
export interface OrderQuote {
  readonly zone: { readonly name: string; readonly feeFcfa: number; readonly delay: string };
  /** Same variant asked twice: one line. */
  readonly lines: QuotedLine[];
  readonly subtotalFcfa: number;
  readonly deliveryFeeFcfa: number;
  readonly totalFcfa: number;
}

/**
 * The shop's data layer. Every method throws either `StoreError` (the database could not
 * be reached or failed: try again later) or `OrderRejectedError` (the request itself is
 * wrong: tell the customer). See `./errors.js`.
 */
export interface Store {
  /** `embedded` = PGlite in this process, `supabase` = hosted PostgreSQL over HTTP, `postgres` = a direct connection (shared mode). */
  readonly kind: 'embedded' | 'supabase' | 'postgres';
  /** Active products with their sizes. */
  listProducts(): Promise<Product[]>;
  /** Active delivery zones. */
  listZones(): Promise<DeliveryZone[]>;
  /** Places an order atomically (stock, prices and totals are decided by the database). */
  placeOrder(request: OrderRequest): Promise<PlacedOrder>;
  /**
   * Prices a cart the way `placeOrder` would, without ordering or reserving anything. Throws
   * `OrderRejectedError` for what `placeOrder` would refuse (`out_of_stock` carries `sizes_left`).
   */
  quoteOrder(request: QuoteRequest): Promise<OrderQuote>;
  /** The latest orders of one chat, newest first (`limit` default 5, at most 50). */
  listCustomerOrders(channel: string, chatId: string, limit?: number): Promise<RecentOrder[]>;
  /** One order with the chat it came from, or `null` when there is none with this id. */
  findOrder(orderId: string): Promise<RecentOrder | null>;
  /** Moves an order along; cancelling restocks its items. */
  setOrderStatus(orderId: string, status: OrderStatus): Promise<void>;
  /** The latest orders, newest first, with the chat each came from (`limit` default 20, at most 200). */
  listRecentOrders(limit?: number): Promise<RecentOrder[]>;
  /** Records conversation events; an event already recorded (same id) is skipped. At most 1000 per call. */
  recordEvents(events: readonly ConversationEvent[]): Promise<void>;
  /** The dashboard's figures per day and channel over a period (see `records.ts` for the definitions). */
  conversationStats(query: StatsQuery): Promise<ConversationStats>;
  /** The most recently active conversations with their latest events. */
  listRecentConversations(query: TimelineQuery): Promise<ConversationTimeline[]>;
  /**
   * Records a payment link as pending (the amount must be the order's total). When the order
   * already has a payment pending, paid or under review, returns it with `changed: false`.
   */
  openPayment(payment: NewPayment): Promise<PaymentChange>;
  /** Moves a payment along its state machine, at most once (see `payments.ts`). */
  settlePayment(paymentId: string, settlement: PaymentSettlement): Promise<PaymentChange>;
  /** Notes a check that found the payment pending, and when to check it next (epoch ms). */
  schedulePaymentCheck(paymentId: string, nextCheckAt: number): Promise<void>;
  /** Notes that the customer and the owner were told of `status`. */
  markPaymentNotified(paymentId: string, status: Payment['status']): Promise<void>;
  /** One payment, the latest matching; `null` when none does. */
  findPayment(query: PaymentQuery): Promise<Payment | null>;
  /** Pending payments due for a check, or payments whose news has not gone out; oldest first. */
  listPayments(query: PaymentListQuery): Promise<Payment[]>;
  /** Money received per day over `[from, to)` (epoch ms): paid payments, by the day they were paid. */
  paymentTotals(query: { from: number; to: number }): Promise<DailyPaidTotal[]>;
  /** Resolves when the database answers; for health checks. */
  ping(): Promise<void>;
  /** Releases the database; further calls fail with `store_unavailable`. */
  close(): Promise<void>;
}
