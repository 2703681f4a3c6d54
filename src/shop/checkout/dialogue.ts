/**
 * The guided checkout's dialogue, with no model: a customer message (or a button press) and
 * the conversation's state in, the reply out, the state moved on. Deterministic: the same
 * state and message always give the same answer.
 */
import type { Reply } from '../../core/responder.js';
import type { Product } from '../../store/types.js';
import { searchCatalogue, findProduct } from '../search.js';
import { isCheckoutAction, readChoice, type Choice } from './buttons.js';
import { chooseProduct, onward, placeOrder, takeSize, toSummary } from './cart.js';
import type { CheckoutTurn } from './context.js';
import { onDetails, readDetails } from './details.js';
import { ask, askDetail, askProduct, askSize, askZone, editMenu, itemsMenu, say, TEXTS, unclear, zonesInOrder, type CheckoutReply } from './prompts.js';
import { orderStatusAnswer } from './status.js';
import { isActive, startPurchase } from './state.js';
import { asksOrderStatus, isQuestion, readChoiceNumber, readIntent, readSize, wantsToBuy } from './understand.js';

/** One message as the checkout reads it: its words, and the button pressed if it was a press. */
export interface CheckoutInput {
  readonly text: string;
  readonly action?: string;
}

/**
 * Answers a message if it belongs to the checkout: a button or a numbered choice of its last
 * prompt, a question about an order, the wish to buy, or anything while a purchase is under
 * way. `null` otherwise (a question for the catalogue or the model).
 */
export async function converse(turn: CheckoutTurn, input: CheckoutInput): Promise<CheckoutReply | null> {
  const { state } = turn;
  if (isCheckoutAction(input.action)) {
    const choice = readChoice(input.action);
    if (choice && choice.seq === state.seq) return onChoice(turn, choice);
    if (isActive(state)) return prefixed(TEXTS.stale, await reprompt(turn));
    if (state.step === 'done' && state.order) return { text: await orderStatusAnswer(state, state, turn.deps) };
    return say(state, TEXTS.staleNothing);
  }
  const number = readChoiceNumber(input.text);
  if (number !== undefined && state.choices.length > 0) {
    const button = number === -1 ? state.choices.at(-1) : state.choices[number - 1];
    const choice = button ? readChoice(button.id) : undefined;
    if (choice) return onChoice(turn, choice);
  }
  if (asksOrderStatus(input.text)) return { text: await orderStatusAnswer(state, state, turn.deps) };
  if (!isActive(state)) return browsing(turn, input.text);
  const intent = readIntent(input.text);
  if (intent === 'cancel') return cancel(turn);
  switch (state.step) {
    case 'product':
      return onProduct(turn, input.text);
    case 'size':
      return onSize(turn, input.text);
    case 'name':
    case 'phone':
    case 'zone':
      return otherArticle(turn, input.text) ?? (intent === 'add' ? addArticle(turn) : onDetails(turn, input.text, state.step));
    case 'review':
      readDetails(turn, input.text);
      return toSummary(turn, 'Avant de valider, voici le récapitulatif :');
    case 'summary':
      return onSummary(turn, input.text);
    default:
      return onEdit(turn, input.text);
  }
}

/** No purchase under way: one starts when the customer wants to buy, or answers the last product's sizes. */
function browsing(turn: CheckoutTurn, text: string): Promise<Reply> | Reply | null {
  const { state, products } = turn;
  const named = findProduct(products, text);
  const last = state.lastProduct && products.find((product) => product.slug === state.lastProduct?.slug);
  if (named && wantsToBuy(text)) {
    startPurchase(state, turn.deps.now());
    return chooseProduct(turn, named, text);
  }
  if (!named && last && wantsToBuy(text)) {
    startPurchase(state, turn.deps.now());
    return chooseProduct(turn, last, text, state.lastProduct?.size);
  }
  if (!named && last && /^\s*(?:taille|en)?\s*\S{1,4}\s*[.!]*\s*$/i.test(text) && readSize(text, last).size) {
    startPurchase(state, turn.deps.now());
    return chooseProduct(turn, last, text);
  }
  if (!named && wantsToBuy(text)) {
    startPurchase(state, turn.deps.now());
    noteSearch(turn, text);
    return askProduct(state, products);
  }
  // "Oui" to the one "je la prends" button just offered.
  const offers = state.choices.filter((button) => readChoice(button.id)?.verb === 'buy');
  const [offer] = offers;
  if (!named && offer && offers.length === 1 && readIntent(text) === 'confirm') return onChoice(turn, readChoice(offer.id)!);
  return null;
}

/** Remembers what a search for the customer's words finds, as the list "la 2" refers to. */
function noteSearch(turn: CheckoutTurn, text: string): void {
  const found = searchCatalogue(turn.products, { text, limit: 6 });
  if (found.strong && found.products.length > 0) turn.state.shown = found.products.map((product) => product.slug);
}

/** Another article named in the middle of the details, with a size or the wish to buy it. */
function otherArticle(turn: CheckoutTurn, text: string): Promise<Reply> | Reply | undefined {
  const product = findProduct(turn.products, text);
  const sized = readSize(text, product).size !== undefined && !isQuestion(text);
  if (!product || !(wantsToBuy(text) || sized || readIntent(text) === 'add')) return undefined;
  return chooseProduct(turn, product, text);
}

function addArticle(turn: CheckoutTurn): Reply {
  turn.state.step = 'product';
  return askProduct(turn.state, turn.products, 'Bien sûr !');
}

function onProduct(turn: CheckoutTurn, text: string): Promise<Reply> | CheckoutReply {
  const product = findProduct(turn.products, text);
  if (product) return chooseProduct(turn, product, text);
  const intent = readIntent(text);
  if ((intent === 'done' || intent === 'no' || intent === 'confirm') && turn.state.items.length > 0) return onward(turn);
  noteSearch(turn, text);
  return unclear(TEXTS.unknownProduct, askProduct(turn.state, turn.products, ''));
}

function onSize(turn: CheckoutTurn, text: string): Promise<Reply> | CheckoutReply {
  const { state } = turn;
  const pending = pendingProduct(turn);
  if (!pending) {
    state.step = 'product';
    return askProduct(state, turn.products);
  }
  const other = findProduct(turn.products, text);
  if (other && other.slug !== pending.slug) return chooseProduct(turn, other, text);
  const { size, asked } = readSize(text, pending);
  if (size) return takeSize(turn, pending, size);
  if (asked) return chooseProduct(turn, pending, text);
  const intent = readIntent(text);
  if ((intent === 'no' || intent === 'done') && state.items.length > 0) {
    delete state.pending;
    return onward(turn);
  }
  return unclear("Je n'ai pas compris la taille 🙂", askSize(state, pending));
}

async function onSummary(turn: CheckoutTurn, text: string): Promise<CheckoutReply> {
  const { state } = turn;
  const intent = readIntent(text);
  if (intent === 'confirm') return placeOrder(turn);
  const article = otherArticle(turn, text);
  if (article) return article;
  if (readDetails(turn, text).changed.length > 0) return toSummary(turn, TEXTS.kept);
  const resized = resizeOnlyItem(turn, text);
  if (resized) return resized;
  if (intent === 'add') return addArticle(turn);
  if (intent === 'modify' || intent === 'no') {
    state.step = 'edit';
    return editMenu(state);
  }
  const again = await toSummary(turn);
  return state.step === 'summary' ? unclear('Pour valider, répondez « oui » ou touchez ✅ Confirmer. Pour changer quelque chose, dites-moi quoi 🙂', again) : again;
}

/** "En L plutôt": with one article in the cart, a size alone is a change of its size. */
function resizeOnlyItem(turn: CheckoutTurn, text: string): Promise<Reply> | Reply | undefined {
  const [only] = turn.state.items;
  if (turn.state.items.length !== 1 || !only) return undefined;
  const product = turn.products.find((candidate) => candidate.slug === only.slug);
  const size = product ? readSize(text, product).size : undefined;
  if (!product || !size || size === only.size) return undefined;
  turn.state.items = [];
  return takeSize(turn, product, size, only.quantity);
}

function onEdit(turn: CheckoutTurn, text: string): Promise<Reply> | CheckoutReply {
  const { state } = turn;
  if (readDetails(turn, text).changed.length > 0) return toSummary(turn, TEXTS.kept);
  const article = otherArticle(turn, text) ?? resizeOnlyItem(turn, text);
  if (article) return article;
  const field = fieldOf(text);
  if (field) return changeField(turn, field);
  const intent = readIntent(text);
  if (intent === 'add') return addArticle(turn);
  if (intent === 'confirm' || intent === 'no' || intent === 'done') return toSummary(turn);
  return unclear("Je n'ai pas compris ce qu'il faut changer 🙂", editMenu(state));
}

function fieldOf(text: string): 'items' | 'name' | 'phone' | 'zone' | undefined {
  const n = text.toLowerCase();
  if (/t[ée]l[ée]phone|num[ée]ro|\btel\b|portable/.test(n)) return 'phone';
  if (/commune|adresse|quartier|livr|zone|lieu|endroit/.test(n)) return 'zone';
  if (/\bnom\b|pr[ée]nom/.test(n)) return 'name';
  if (/article|taille|produit|panier|retir|enlev|robe|quantit/.test(n)) return 'items';
  return undefined;
}

function changeField(turn: CheckoutTurn, field: 'items' | 'name' | 'phone' | 'zone'): Reply {
  const { state } = turn;
  if (field === 'items') {
    state.step = 'edit';
    return itemsMenu(state);
  }
  state.step = field;
  if (field === 'zone') return askZone(state, turn.zones, 'Dans quelle commune faut-il livrer ?');
  const asked = { name: 'Quel nom faut-il mettre sur la commande ?', phone: 'Quel numéro faut-il appeler pour la livraison ?' };
  return ask(state, asked[field], [['❌ Annuler', 'cancel']]);
}

/** A button of the current prompt (or its number) was chosen. */
async function onChoice(turn: CheckoutTurn, choice: Choice): Promise<Reply> {
  const { state, products } = turn;
  const index = Number(choice.argument ?? '0') - 1;
  switch (choice.verb) {
    case 'pick': {
      const product = products.find((candidate) => candidate.slug === state.shown[index]);
      if (!product) return reprompt(turn);
      startPurchase(state, turn.deps.now());
      return chooseProduct(turn, product, '');
    }
    case 'buy':
    case 'size': {
      const product = choice.verb === 'size' ? (pendingProduct(turn) ?? lastProduct(turn)) : lastProduct(turn);
      if (!product) return reprompt(turn);
      startPurchase(state, turn.deps.now());
      return choice.argument ? takeSize(turn, product, choice.argument) : chooseProduct(turn, product, '');
    }
    case 'confirm':
      return state.step === 'summary' ? placeOrder(turn) : toSummary(turn);
    case 'edit':
      state.step = 'edit';
      return editMenu(state);
    case 'cancel':
      return cancel(turn);
    case 'add':
      startPurchase(state, turn.deps.now());
      return addArticle(turn);
    case 'next':
      delete state.pending;
      return onward(turn);
    case 'field':
      return changeField(turn, choice.argument === 'name' || choice.argument === 'phone' || choice.argument === 'zone' ? choice.argument : 'items');
    case 'myname':
      if (state.displayName) state.name = state.displayName;
      return onward(turn);
    case 'zone': {
      const zone = zonesInOrder(turn.zones)[index];
      if (zone) state.zone = zone.name;
      return onward(turn);
    }
    case 'remove': {
      const removed = state.items[index];
      state.items = state.items.filter((_, position) => position !== index);
      if (state.items.length === 0) {
        state.step = 'product';
        return askProduct(state, products, 'Votre panier est vide.');
      }
      return itemsMenu(state, removed ? `${removed.name} est retiré.` : undefined);
    }
  }
}

function cancel(turn: CheckoutTurn): Reply {
  const { state } = turn;
  state.step = 'cancelled';
  delete state.pending;
  return say(state, TEXTS.cancelled);
}

/** The current question again, with fresh buttons. */
async function reprompt(turn: CheckoutTurn): Promise<Reply> {
  const { state } = turn;
  const pending = pendingProduct(turn);
  if (state.step === 'size' && pending) return askSize(state, pending);
  if (state.step === 'name' || state.step === 'phone' || state.step === 'zone') {
    return askDetail(state, state.step, { zones: turn.zones, country: turn.deps.shop.country });
  }
  if (state.step === 'summary' || state.step === 'review') return toSummary(turn);
  if (state.step === 'edit') return editMenu(state);
  state.step = 'product';
  return askProduct(state, turn.products);
}

function prefixed(prefix: string, reply: Reply): Reply {
  return { ...reply, text: `${prefix}\n\n${reply.text}` };
}

function pendingProduct(turn: CheckoutTurn): Product | undefined {
  return turn.products.find((product) => product.slug === turn.state.pending?.slug);
}

function lastProduct(turn: CheckoutTurn): Product | undefined {
  return turn.products.find((product) => product.slug === turn.state.lastProduct?.slug);
}
