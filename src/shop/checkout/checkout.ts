/**
 * The guided checkout as the rest of akwaba uses it: one state per conversation, loaded,
 * moved on and written back durably under a per-conversation lock, forgotten after a day
 * without activity. The no-model responder, the answer of last resort and the model's tools
 * all go through it, so a purchase moves freely between the model and the dialogue.
 */
import type { Button } from '../../core/channel.js';
import type { Customer } from '../../core/tools.js';
import type { Product } from '../../store/types.js';
import { isOneSize, sizesInStock } from '../format.js';
import type { CheckoutDeps, CheckoutTurn } from './context.js';
import { converse } from './dialogue.js';
import { ask, withArticle, type CheckoutReply, type Offer } from './prompts.js';
import { ACTIVE_STEPS, isActive, newCheckoutState, type CheckoutState } from './state.js';
import type { CheckoutStore } from './store.js';
import { readChoiceNumber, readSize } from './understand.js';

/** Options of {@link createCheckout}. */
export interface CheckoutOptions extends Omit<CheckoutDeps, 'now'> {
  readonly checkouts: CheckoutStore;
  readonly now?: () => number;
  /** A purchase untouched this long is forgotten: the customer starts afresh (default one day). */
  readonly expireAfterMs?: number;
}

/** One customer message for the checkout. */
export interface CheckoutRequest {
  readonly conversationKey: string;
  readonly customer: Customer;
  readonly text: string;
  /** The button pressed, if the message was a press. */
  readonly action?: string;
}

/** The guided checkout. */
export interface Checkout {
  /** The checkout's reply to a message, or `null` when the message is not about a purchase. */
  handle(request: CheckoutRequest): Promise<CheckoutReply | null>;
  /**
   * Remembers the products the catalogue just showed a customer (for "je la prends", "la 2")
   * and returns the buttons to show with them; none while a purchase is under way.
   */
  showing(request: CheckoutRequest, products: readonly Product[], answer: string): Promise<readonly Button[]>;
  /**
   * True when a message answers the checkout's last prompt — a button of the checkout, or a
   * number of its choices typed right after it (`lastReply` is the bot's last message) — so it
   * goes to the checkout even when a model answers the rest.
   */
  owns(request: CheckoutRequest, lastReply: string | undefined): Promise<boolean>;
  /** Reads and changes a conversation's state under its lock, writes it back (tools). */
  update<T>(conversationKey: string, customer: Customer, change: (turn: CheckoutTurn) => T | Promise<T>): Promise<T>;
  /** A conversation's state as it is (expired ones included), or `undefined`. */
  peek(conversationKey: string): Promise<CheckoutState | undefined>;
  /** Every state kept (the dashboard). */
  list(): Promise<CheckoutState[]>;
  /** Forgets the states untouched for `olderThanMs`; returns how many. */
  sweep(olderThanMs: number): Promise<number>;
}

/**
 * Creates the checkout.
 *
 * @example
 * const checkout = createCheckout({ checkouts: createFileCheckoutStore(join(dataDir, 'checkouts')), shop, store, orders, catalogue, logger });
 * const reply = await checkout.handle({ conversationKey, customer, text: 'La bordeaux en M me plaît !' });
 */
export function createCheckout(options: CheckoutOptions): Checkout {
  const now = options.now ?? Date.now;
  const deps: CheckoutDeps = { ...options, now };
  const expireAfterMs = options.expireAfterMs ?? 24 * 60 * 60_000;
  const locks = new Map<string, Promise<unknown>>();

  /** Runs `work` for one conversation after the work queued before it. */
  function locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    const run = (locks.get(key) ?? Promise.resolve()).then(work, work);
    const tail = run.catch(() => undefined);
    locks.set(key, tail);
    void tail.then(() => {
      if (locks.get(key) === tail) locks.delete(key);
    });
    return run;
  }

  async function load(key: string, customer: Customer): Promise<CheckoutState> {
    const at = now();
    const kept = await options.checkouts.load(key);
    const fresh = newCheckoutState(key, customer.channel, customer.chatId, at);
    const state = kept && at - kept.updatedAt <= expireAfterMs ? kept : fresh;
    if (customer.name) state.displayName = customer.name;
    return state;
  }

  /** Loads, lets `change` move the state on, and writes it back if it changed. */
  function withTurn<T>(key: string, customer: Customer, change: (turn: CheckoutTurn) => Promise<T>): Promise<T | null> {
    return locked(key, async () => {
      const snapshot = options.catalogue.snapshot();
      if (!snapshot) return null;
      const state = await load(key, customer);
      const before = JSON.stringify(state);
      const result = await change({ state, products: snapshot.products, zones: snapshot.zones, deps });
      if (JSON.stringify(state) !== before) {
        state.updatedAt = now();
        await options.checkouts.save(state);
      }
      return result;
    });
  }

  return {
    async handle(request) {
      return (
        (await withTurn(request.conversationKey, request.customer, async (turn) => {
          const reply = await converse(turn, request);
          if (reply) {
            turn.state.lastPrompt = reply.unclear?.question ?? reply.text;
            turn.state.updatedAt = now();
          }
          return reply;
        })) ?? null
      );
    },

    async showing(request, products, answer) {
      const buttons = await withTurn(request.conversationKey, request.customer, async ({ state }) => {
        if (isActive(state)) return [];
        if (products.length === 0) {
          // The earlier offers no longer follow the last message; nothing to remember otherwise.
          if (state.choices.length > 0) ask(state, '');
          return [];
        }
        state.lastPrompt = answer;
        state.shown = products.map((product) => product.slug);
        if (products.length > 1) {
          delete state.lastProduct;
          return ask(state, '', products.map((product, index): Offer => [product.name, 'pick', String(index + 1)])).buttons ?? [];
        }
        const [product] = products as [Product];
        const size = readSize(request.text, product).size;
        state.lastProduct = { slug: product.slug, ...(size && { size }) };
        return ask(state, '', offersFor(product, size)).buttons ?? [];
      });
      return buttons ?? [];
    },

    async owns(request, lastReply) {
      const state = await options.checkouts.load(request.conversationKey);
      if (!state) return false;
      if (request.action !== undefined) return request.action.startsWith('co:');
      const number = readChoiceNumber(request.text);
      // The last prompt may have come after an answer from the catalogue ("…\n\n" + prompt).
      return number !== undefined && state.choices.length > 0 && state.lastPrompt !== undefined && lastReply?.endsWith(state.lastPrompt) === true;
    },

    async update(conversationKey, customer, change) {
      const result = await withTurn(conversationKey, customer, async (turn) => ({ value: await change(turn) }));
      if (!result) throw new Error('the catalogue is not loaded yet');
      return result.value;
    },

    peek: (conversationKey) => options.checkouts.load(conversationKey),
    list: () => options.checkouts.list(),

    async sweep(olderThanMs) {
      let removed = 0;
      for (const state of await options.checkouts.list()) {
        if (now() - state.updatedAt <= olderThanMs) continue;
        await locked(state.key, () => options.checkouts.remove(state.key));
        removed += 1;
      }
      return removed;
    },
  };
}

/** The buttons under a single product: buy in the size named, or one button per size left. */
function offersFor(product: Product, size: string | undefined): Offer[] {
  const left = sizesInStock(product);
  if (left.length === 0) return [];
  const it = /^la /.test(withArticle(product)) ? 'la' : 'le';
  if (isOneSize(product)) return [[`🛍️ Je ${it} prends`, 'buy']];
  if (size && left.includes(size)) return [[`🛍️ Je ${it} prends en ${size}`, 'buy', size]];
  return left.map((entry): Offer => [entry, 'buy', entry]);
}

/** Whether a state is a purchase under way (for the dashboard). */
export function inProgress(state: CheckoutState): boolean {
  return ACTIVE_STEPS.has(state.step);
}
