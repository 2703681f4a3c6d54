/**
 * The checkout's two calls to the shop's data: the total of the cart (the database's
 * `quote_order`, or the cached catalogue while the database is down), and the order itself,
 * through the same order desk as the model's `place_order` (stock locked by the database,
 * idempotency key, a durable queue when the database is down).
 */
import { createHash } from 'node:crypto';
import { OrderRejectedError } from '../../store/errors.js';
import type { OrderLineRequest, OrderQuote, Store } from '../../store/types.js';
import type { OrderDesk, OrderOutcome } from '../orders.js';
import type { CatalogueView } from '../tools.js';
import type { CartItem, CheckoutState } from './state.js';

/** A priced cart, and whether the database priced it. */
export type QuoteOutcome =
  | { readonly status: 'quoted'; readonly quote: OrderQuote; readonly fromDatabase: boolean }
  | { readonly status: 'rejected'; readonly error: OrderRejectedError };

/** The order lines of a cart. */
export function linesOf(items: readonly CartItem[]): OrderLineRequest[] {
  return items.map((item) => ({ productId: item.slug, size: item.size, quantity: item.quantity }));
}

/**
 * The database's total for the cart and zone; when the database cannot answer, the same
 * sum from the catalogue's cached prices and fees (`fromDatabase: false`), so the customer
 * still sees a summary and can order (the queue keeps the order until the database is back).
 */
export async function quoteCart(
  state: CheckoutState,
  deps: { readonly store: Pick<Store, 'quoteOrder'>; readonly catalogue: CatalogueView },
): Promise<QuoteOutcome> {
  const zone = state.zone ?? '';
  try {
    return { status: 'quoted', quote: await deps.store.quoteOrder({ zone, lines: linesOf(state.items) }), fromDatabase: true };
  } catch (error) {
    if (error instanceof OrderRejectedError) return { status: 'rejected', error };
    const cached = fromCatalogue(state, deps.catalogue);
    if (!cached) throw error;
    return { status: 'quoted', quote: cached, fromDatabase: false };
  }
}

function fromCatalogue(state: CheckoutState, catalogue: CatalogueView): OrderQuote | undefined {
  const snapshot = catalogue.snapshot();
  const zone = snapshot?.zones.find((candidate) => candidate.name === state.zone);
  if (!snapshot || !zone) return undefined;
  const lines = [];
  for (const item of state.items) {
    const product = snapshot.products.find((candidate) => candidate.slug === item.slug);
    if (!product) return undefined;
    const line = { productId: product.id, slug: product.slug, productName: product.name, size: item.size, quantity: item.quantity };
    lines.push({ ...line, unitPriceFcfa: product.priceFcfa, lineTotalFcfa: product.priceFcfa * item.quantity });
  }
  const subtotalFcfa = lines.reduce((sum, line) => sum + line.lineTotalFcfa, 0);
  return {
    zone: { name: zone.name, feeFcfa: zone.feeFcfa, delay: zone.delay },
    lines,
    subtotalFcfa,
    deliveryFeeFcfa: zone.feeFcfa,
    totalFcfa: subtotalFcfa + zone.feeFcfa,
  };
}

/**
 * The idempotency key of the purchase as it stands: the same purchase confirmed twice (a
 * double tap, a retry, the model and the buttons both) is one order; a cart changed after a
 * refusal is another request.
 */
export function orderKeyOf(state: CheckoutState): string {
  const content = JSON.stringify(['checkout', state.id, state.channel, state.chatId, state.name, state.phone, state.zone, linesOf(state.items)]);
  // Hex only: its first 8 characters are the reference a queued order is known by.
  return createHash('sha256').update(content).digest('hex');
}

/** Places the purchase through the order desk; the state is not changed here. */
export function placeCart(state: CheckoutState, orders: Pick<OrderDesk, 'place'>): Promise<OrderOutcome> {
  return orders.place({
    idempotencyKey: orderKeyOf(state),
    channel: state.channel,
    chatId: state.chatId,
    customerName: state.name ?? '',
    phone: state.phone ?? '',
    zone: state.zone ?? '',
    lines: linesOf(state.items),
  });
}

/** Notes the order on the state: the purchase is over. */
export function recordOutcome(state: CheckoutState, outcome: OrderOutcome, now: number): void {
  if (outcome.status === 'rejected') return;
  state.step = 'done';
  state.order = {
    key: orderKeyOf(state),
    status: outcome.status,
    items: [...state.items],
    at: now,
    ...(outcome.status === 'recorded'
      ? { number: outcome.order.number, totalFcfa: outcome.order.totalFcfa }
      : { reference: outcome.reference }),
  };
  state.choices = [];
}
