/**
 * The model's side of the checkout: tools that read and write the same cart and details as
 * the guided dialogue, so a purchase the model starts can be finished without it (and the
 * other way round), and `place_order` orders what the checkout holds. The model never sees a
 * phone number: only whether one is known and its last two digits.
 */
import { z } from 'zod';
import { defineTool, type Customer, type Tool } from '../../core/tools.js';
import type { OrderOutcome } from '../orders.js';
import { formatFcfa, isOneSize, sizesInStock } from '../format.js';
import { normalizePhone } from '../phone.js';
import { findProduct, findZone } from '../search.js';
import type { Checkout } from './checkout.js';
import type { CheckoutTurn } from './context.js';
import { placeCart, quoteCart, recordOutcome } from './ordering.js';
import { orderStatusAnswer } from './status.js';
import { addItem, isActive, maskedPhone, MAX_PIECES_PER_ORDER, nextDetail, pieces, startPurchase, type CartItem, type CheckoutState } from './state.js';
import { readSize } from './understand.js';

/** The conversation key the engine uses for this customer. */
export const conversationKeyOf = (customer: Customer): string => `${customer.channel}:${customer.chatId}`;

/** What the model is shown of the checkout. */
export function cartView(state: CheckoutState) {
  return {
    items: state.items.map((item) => ({ product: item.slug, name: item.name, size: item.size, quantity: item.quantity })),
    customer_name: state.name ?? null,
    phone: state.phone ? `connu (se termine par ${maskedPhone(state.phone)})` : null,
    zone: state.zone ?? null,
    missing: [
      ...(state.items.length === 0 ? ['articles'] : []),
      ...(!state.name ? ['nom complet'] : []),
      ...(!state.phone ? ['téléphone'] : []),
      ...(!state.zone ? ['commune'] : []),
    ],
  };
}

/** After a change by the model: the dialogue would ask the next missing detail, or show the summary. */
function settle(state: CheckoutState): void {
  if (!isActive(state)) return;
  state.step = state.items.length === 0 ? 'product' : nextDetail(state);
}

/** Adds an article to the cart, or says why not (size missing or sold out, with the sizes left). */
export function addToCart(turn: CheckoutTurn, wanted: { product: string; size?: string; quantity?: number }): Record<string, unknown> {
  const { state } = turn;
  const product = findProduct(turn.products, wanted.product);
  if (!product) return { error: `aucun article ne correspond à "${wanted.product}" : utilise search_products` };
  const quantity = wanted.quantity ?? 1;
  if (pieces(state.items) + quantity > MAX_PIECES_PER_ORDER) return { error: `au plus ${MAX_PIECES_PER_ORDER} articles par commande` };
  const size = isOneSize(product) ? product.sizes[0]!.size : readSize(wanted.size ?? '', product).size;
  const left = sizesInStock(product);
  if (!size) return { error: wanted.size ? `pas de taille ${wanted.size} pour ${product.name}` : 'taille manquante : demande-la au client', sizes_in_stock: left };
  const stock = product.sizes.find((entry) => entry.size === size)?.stock ?? 0;
  if (stock < quantity) return { error: `plus assez de stock en ${size} (reste ${Math.max(0, stock)})`, sizes_in_stock: left };
  startPurchase(state, turn.deps.now());
  state.items = addItem(state.items, { slug: product.slug, name: product.name, size, quantity });
  state.lastProduct = { slug: product.slug, size };
  delete state.pending;
  settle(state);
  return { added: `${product.name} (${size}) × ${quantity}`, price_text: formatFcfa(product.priceFcfa * quantity), cart: cartView(state) };
}

/** Writes the name, phone and commune given; a bad phone or an unserved commune is an error to correct. */
export function setDetails(turn: CheckoutTurn, details: { customer_name?: string; phone?: string; zone?: string }): Record<string, unknown> {
  const { state } = turn;
  if (details.phone !== undefined) {
    const phone = normalizePhone(details.phone, turn.deps.shop.country);
    if (!phone) return { error: `numéro de téléphone invalide pour le pays ${turn.deps.shop.country} : redemande-le au client` };
    state.phone = phone;
  }
  if (details.zone !== undefined) {
    const zone = findZone(turn.zones, details.zone);
    if (!zone) return { error: `nous ne livrons pas "${details.zone}"`, zones_served: turn.zones.map((candidate) => candidate.name) };
    state.zone = zone.name;
  }
  if (details.customer_name !== undefined) state.name = details.customer_name.trim();
  settle(state);
  return { cart: cartView(state) };
}

/** What `place_order` gets: the order as the model states it, all of it optional. */
export interface ModelOrder {
  readonly customer_name?: string | undefined;
  readonly phone?: string | undefined;
  readonly zone?: string | undefined;
  readonly items?: readonly { readonly product: string; readonly size: string; readonly quantity: number }[] | undefined;
}

/**
 * The model's `place_order`: what it passes is written into the checkout (replacing the cart
 * when it lists articles), then the checkout's purchase is ordered through the same path as
 * the dialogue's "Confirmer". The same purchase ordered again is the same order.
 */
export async function placeForModel(turn: CheckoutTurn, order: ModelOrder): Promise<{ outcome: OrderOutcome } | { error: Record<string, unknown> }> {
  const { state } = turn;
  const items = order.items?.map((item): CartItem => {
    const product = findProduct(turn.products, item.product);
    const size = product?.sizes.find((entry) => entry.size.toLowerCase() === item.size.trim().toLowerCase())?.size ?? item.size.trim();
    return { slug: product?.slug ?? item.product, name: product?.name ?? item.product, size, quantity: item.quantity };
  });
  const zone = order.zone === undefined ? undefined : (findZone(turn.zones, order.zone)?.name ?? order.zone.trim());
  const phone = order.phone === undefined ? undefined : normalizePhone(order.phone, turn.deps.shop.country);
  if (order.phone !== undefined && !phone) {
    return { error: { error: `numéro de téléphone invalide pour le pays ${turn.deps.shop.country} : redemande-le au client` } };
  }
  const next = { items: items ?? state.items, name: order.customer_name?.trim() ?? state.name, phone: phone ?? state.phone, zone: zone ?? state.zone };
  const same = state.step === 'done' && JSON.stringify([next.items, next.name, next.phone, next.zone]) === JSON.stringify([state.order?.items, state.name, state.phone, state.zone]);
  if (!same && items) startPurchase(state, turn.deps.now());
  if (!same) Object.assign(state, { items: next.items, ...(next.name && { name: next.name }), ...(next.phone && { phone: next.phone }), ...(next.zone && { zone: next.zone }) });
  settle(state);
  const missing = cartView(state).missing;
  if (missing.length > 0 && !same) return { error: { error: `il manque : ${missing.join(', ')}`, cart: cartView(state) } };
  const outcome = await placeCart(state, turn.deps.orders);
  recordOutcome(state, outcome, turn.deps.now());
  if (outcome.status === 'recorded') void turn.deps.catalogue.refresh?.().catch(() => undefined);
  return { outcome };
}

/** The checkout tools (`add_to_cart`, `remove_from_cart`, `set_delivery_details`, `view_cart`, `order_status`). */
export function createCartTools(checkout: Checkout): Tool[] {
  const on = <T>(customer: Customer, change: (turn: CheckoutTurn) => T | Promise<T>) => checkout.update(conversationKeyOf(customer), customer, change);
  return [
    defineTool({
      name: 'add_to_cart',
      description: "Ajoute un article au panier du client (taille obligatoire sauf taille unique). Le panier est partagé avec le parcours d'achat guidé.",
      parameters: z.object({
        product: z.string().min(1).max(200).describe("id ou nom de l'article"),
        size: z.string().max(10).optional(),
        quantity: z.number().int().min(1).max(MAX_PIECES_PER_ORDER).default(1),
      }),
      run: (args, context) => on(context.customer, (turn) => addToCart(turn, args)),
    }),
    defineTool({
      name: 'remove_from_cart',
      description: 'Retire un article du panier (toutes tailles, ou une taille).',
      parameters: z.object({ product: z.string().min(1).max(200), size: z.string().max(10).optional() }),
      run: (args, context) =>
        on(context.customer, (turn) => {
          const product = findProduct(turn.products, args.product);
          const size = args.size?.trim().toLowerCase();
          turn.state.items = turn.state.items.filter((item) => item.slug !== product?.slug || (size !== undefined && item.size.toLowerCase() !== size));
          settle(turn.state);
          return { cart: cartView(turn.state) };
        }),
    }),
    defineTool({
      name: 'set_delivery_details',
      description: 'Enregistre le nom complet, le téléphone et/ou la commune de livraison du client, dès qu’il les donne.',
      parameters: z.object({
        customer_name: z.string().trim().min(2).max(100).optional(),
        phone: z.string().trim().min(1).max(30).optional(),
        zone: z.string().trim().min(1).max(100).optional(),
      }),
      run: (args, context) => on(context.customer, (turn) => setDetails(turn, args)),
    }),
    defineTool({
      name: 'view_cart',
      description: 'Le panier et les coordonnées connues du client, ce qui manque, et le total calculé par la boutique quand tout est connu.',
      parameters: z.object({}),
      run: (_args, context) =>
        on(context.customer, async (turn) => {
          const view = cartView(turn.state);
          if (view.missing.length > 0) return { cart: view };
          const priced = await quoteCart(turn.state, turn.deps).catch(() => undefined);
          if (priced?.status !== 'quoted') return { cart: view, total: priced ? `refusé : ${priced.error.code}` : 'indisponible' };
          return { cart: view, total_fcfa: priced.quote.totalFcfa, total_text: formatFcfa(priced.quote.totalFcfa), delivery_fee_fcfa: priced.quote.deliveryFeeFcfa };
        }),
    }),
    defineTool({
      name: 'order_status',
      description: 'Où en sont les commandes de ce client (numéro, statut, total), lues dans la base de la boutique.',
      parameters: z.object({}),
      run: (_args, context) => on(context.customer, async (turn) => ({ answer: await orderStatusAnswer(context.customer, turn.state, turn.deps) })),
    }),
  ];
}
