/**
 * The cart's moves: an article chosen (with its size and quantity, refused with the sizes
 * left when out of stock), the summary with the database's total, the order itself, and
 * what to do when the database refuses it (the last dress sold a second ago).
 */
import type { Reply } from '../../core/responder.js';
import type { Product } from '../../store/types.js';
import { formatFcfa, sizesInStock } from '../format.js';
import { customerConfirmation, customerOrderQueued } from '../messages.js';
import type { CheckoutTurn } from './context.js';
import { placeCart, quoteCart, recordOutcome } from './ordering.js';
import { askDetail, askProduct, askSize, askZone, say, sizeRefused, soldOut, summary, TEXTS, withArticle } from './prompts.js';
import { addItem, describeItem, MAX_PIECES_PER_ORDER, nextDetail, pieces, type CartItem } from './state.js';
import { readQuantity, readSize } from './understand.js';

/**
 * An article the customer chose: into the cart when the size is known and in stock (a
 * one-size article needs none), else the size is asked, with what is left.
 */
export function chooseProduct(turn: CheckoutTurn, product: Product, text: string, presetSize?: string): Promise<Reply> | Reply {
  const { state } = turn;
  const quantity = Math.max(1, readQuantity(text) ?? state.pending?.quantity ?? 1);
  state.lastProduct = { slug: product.slug };
  if (pieces(state.items) + quantity > MAX_PIECES_PER_ORDER) return say(state, TEXTS.tooMany(MAX_PIECES_PER_ORDER));
  if (sizesInStock(product).length === 0) {
    delete state.pending;
    state.step = state.items.length > 0 ? state.step : 'product';
    return state.items.length > 0 ? toSummary(turn, soldOut(product)) : askProduct(state, turn.products, soldOut(product));
  }
  const read = readSize(text, product);
  const size = read.size ?? (presetSize ? readSize(presetSize, product).size : undefined);
  const asked = read.asked ?? presetSize;
  if (size) return takeSize(turn, product, size, quantity);
  state.pending = { slug: product.slug, quantity };
  state.step = 'size';
  if (asked) return askSize(state, product, `${sizeRefused(product, asked.toUpperCase(), false)}`);
  return askSize(state, product);
}

/** A size for `product`: into the cart if enough are left, else the sizes that are. */
export function takeSize(turn: CheckoutTurn, product: Product, size: string, quantity = turn.state.pending?.quantity ?? 1): Promise<Reply> | Reply {
  const { state } = turn;
  const entry = product.sizes.find((candidate) => candidate.size.toLowerCase() === size.toLowerCase());
  if (!entry || entry.stock < quantity) {
    state.pending = { slug: product.slug, quantity };
    state.step = 'size';
    const few = entry && entry.stock > 0 ? `Il ne reste que ${entry.stock} ${product.name} en ${entry.size}.` : sizeRefused(product, size, entry !== undefined);
    return sizesInStock(product).length > 0 ? askSize(state, product, few) : askProduct(state, turn.products, soldOut(product));
  }
  const item: CartItem = { slug: product.slug, name: product.name, size: entry.size, quantity };
  state.items = addItem(state.items, item);
  delete state.pending;
  state.lastProduct = { slug: product.slug, size: entry.size };
  const added = `✅ ${describeItem(item)} : ${formatFcfa(product.priceFcfa * quantity)}, c'est dans votre panier !`;
  return onward(turn, added);
}

/** After a change: the next question, or the summary once everything is known. */
export function onward(turn: CheckoutTurn, done?: string): Promise<Reply> | Reply {
  const { state } = turn;
  if (state.items.length === 0) {
    state.step = 'product';
    return askProduct(state, turn.products, done);
  }
  const next = nextDetail(state);
  if (next === 'review') return toSummary(turn, done);
  state.step = next;
  return askDetail(state, next, { zones: turn.zones, country: turn.deps.shop.country }, done);
}

/** The summary, priced by the database (or the cached catalogue while it is down). */
export async function toSummary(turn: CheckoutTurn, intro?: string): Promise<Reply> {
  const { state, deps } = turn;
  const next = nextDetail(state);
  if (state.items.length === 0 || next !== 'review') return onward(turn, intro);
  let outcome;
  try {
    outcome = await quoteCart(state, deps);
  } catch (error) {
    deps.logger.warn({ err: error }, 'checkout: no total available (database down, no catalogue)');
    return say(state, TEXTS.unavailable);
  }
  if (outcome.status === 'rejected') return refused(turn, outcome.error.code, outcome.error.info, false);
  const { quote, fromDatabase } = outcome;
  state.quote = { subtotalFcfa: quote.subtotalFcfa, deliveryFeeFcfa: quote.deliveryFeeFcfa, totalFcfa: quote.totalFcfa, fromDatabase };
  state.step = 'summary';
  return summary(state, quote, fromDatabase, intro);
}

/** "Je confirme": the order goes through the order desk, and the customer hears what became of it. */
export async function placeOrder(turn: CheckoutTurn): Promise<Reply> {
  const { state, deps } = turn;
  if (state.items.length === 0 || nextDetail(state) !== 'review') return onward(turn);
  const outcome = await placeCart(state, deps.orders);
  if (outcome.status === 'rejected') return refused(turn, outcome.code, outcome.info ?? {}, true);
  recordOutcome(state, outcome, deps.now());
  // The stock just changed: the next customer must not be offered the size this one took.
  if (outcome.status === 'recorded') void deps.catalogue.refresh?.().catch(() => undefined);
  return say(state, outcome.status === 'recorded' ? customerConfirmation(outcome.order) : customerOrderQueued(outcome.reference));
}

/**
 * The database refused the cart, at the summary (`placing` false) or at the order: the
 * customer hears why and is asked only what must change (another size, another commune…).
 */
export async function refused(turn: CheckoutTurn, code: string, info: Readonly<Record<string, unknown>>, placing: boolean): Promise<Reply> {
  const { state, deps } = turn;
  deps.logger.info({ code, placing }, 'checkout: the database refused the cart');
  if (code === 'out_of_stock' || code === 'unknown_product' || code === 'product_unavailable' || code === 'unknown_size') {
    const fresh = (await deps.catalogue.refresh?.().catch(() => undefined), deps.catalogue.snapshot());
    if (fresh) turn.products = fresh.products;
    const name = typeof info.product_name === 'string' ? info.product_name : undefined;
    const size = typeof info.size === 'string' ? info.size : undefined;
    const hit = state.items.find((item) => (name === undefined || item.name === name) && (size === undefined || item.size.toLowerCase() === size.toLowerCase()));
    const available = typeof info.available === 'number' ? info.available : 0;
    if (!hit) return say(state, TEXTS.unavailable);
    const product = turn.products.find((candidate) => candidate.slug === hit.slug);
    if (code === 'out_of_stock' && available > 0) {
      state.items = state.items.map((item) => (item === hit ? { ...item, quantity: available } : item));
      return toSummary(turn, `Il ne reste que ${available} ${hit.name} en ${hit.size} : j'ai ajusté votre panier.`);
    }
    state.items = state.items.filter((item) => item !== hit);
    const gone = product
      ? `${placing ? 'Oh non 😔 ' : 'Désolé, '}${withArticle(product)} en ${hit.size} ${placing ? 'vient d’être vendu' : 'n’est plus disponible'}${placing && /^la /.test(withArticle(product)) ? 'e' : ''}${placing ? ' : votre commande n’est pas passée.' : '.'}`
      : `Désolé, ${describeItem(hit)} n’est plus disponible.`;
    if (state.items.length > 0) return toSummary(turn, `${gone} Je l'ai retiré de votre panier.`);
    if (product && sizesInStock(product).length > 0) {
      state.pending = { slug: product.slug, quantity: hit.quantity };
      state.step = 'size';
      return askSize(state, product, gone);
    }
    state.step = 'product';
    return askProduct(state, turn.products, `${gone} Voulez-vous choisir un autre article ?`);
  }
  if (code === 'unknown_zone') {
    delete state.zone;
    state.step = 'zone';
    return askZone(state, turn.zones, 'Cette commune n’est plus desservie 🙏 Où faut-il livrer ?');
  }
  if (code === 'invalid_phone') {
    delete state.phone;
    state.step = 'phone';
    return askDetail(state, 'phone', { zones: turn.zones, country: deps.shop.country });
  }
  deps.logger.warn({ code }, 'checkout: order refused for a reason the dialogue cannot fix');
  return say(state, TEXTS.unavailable);
}
