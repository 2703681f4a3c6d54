/**
 * What the shop remembers of one customer's purchase while it is being made: the cart, the
 * delivery details, and where the dialogue stands. Plain data, written to disk as JSON.
 */
import { randomUUID } from 'node:crypto';
import type { Button } from '../../core/channel.js';

/** Pieces one order may hold, all lines together: more is a wholesale deal for a person to handle. */
export const MAX_PIECES_PER_ORDER = 20;

/** One line of the cart: a product in one size, by its slug. */
export interface CartItem {
  readonly slug: string;
  /** The product's name when it was chosen, to show without the catalogue. */
  readonly name: string;
  /** The size as the catalogue writes it (`M`, `40`, `Unique`). */
  readonly size: string;
  readonly quantity: number;
}

/**
 * Where the dialogue stands, i.e. what the shop is waiting for:
 * - `browsing`: nothing; what was shown is remembered for "je la prends" or "la 2";
 * - `product`, `size`: which article, which size;
 * - `name`, `phone`, `zone`: the delivery details, one at a time;
 * - `review`: everything is known (given to the model), no summary shown yet;
 * - `summary`: the summary with the database's total is shown, a "oui" orders;
 * - `edit`: the customer asked to change something, and which is asked;
 * - `done`: ordered (recorded, or waiting for the database); `cancelled`.
 */
export type CheckoutStep =
  | 'browsing'
  | 'product'
  | 'size'
  | 'name'
  | 'phone'
  | 'zone'
  | 'review'
  | 'summary'
  | 'edit'
  | 'done'
  | 'cancelled';

/** Steps of a purchase under way: the ones the dashboard lists and a button may continue. */
export const ACTIVE_STEPS: ReadonlySet<CheckoutStep> = new Set(['product', 'size', 'name', 'phone', 'zone', 'review', 'summary', 'edit']);

/** The order a checkout ended with. */
export interface CheckoutOrder {
  /** The idempotency key it was placed with: placing it again returns the same order. */
  readonly key: string;
  /** `recorded`: in the database; `queued`: in the durable queue until the database answers. */
  readonly status: 'recorded' | 'queued';
  readonly number?: number;
  /** Shown to the customer while the order waits in the queue. */
  readonly reference?: string;
  readonly totalFcfa?: number;
  readonly items: readonly CartItem[];
  readonly at: number;
}

/** The database's total for the cart as last shown in a summary. */
export interface CheckoutQuote {
  readonly subtotalFcfa: number;
  readonly deliveryFeeFcfa: number;
  readonly totalFcfa: number;
  /** False when the database was down and the catalogue's cached prices were used. */
  readonly fromDatabase: boolean;
}

/** One conversation's checkout. */
export interface CheckoutState {
  readonly version: 1;
  /** `channel:chatId`. */
  readonly key: string;
  readonly channel: string;
  readonly chatId: string;
  /** A new id for every purchase: the base of its idempotency key. */
  id: string;
  step: CheckoutStep;
  items: CartItem[];
  /** A product chosen whose size is awaited. */
  pending?: { readonly slug: string; readonly quantity: number };
  /** Full name, as the customer wrote it. */
  name?: string;
  /** E.164, e.g. `+2250707123456`. */
  phone?: string;
  /** The zone's name as the shop writes it, e.g. `Marcory`. */
  zone?: string;
  /** The platform's display name, offered as a one-tap answer to "votre nom ?". */
  displayName?: string;
  /** Products last listed, in order, so "la 2" and the list's buttons find them. */
  shown: string[];
  /** The product last talked about, and its size if one was named, for "je la prends". */
  lastProduct?: { readonly slug: string; readonly size?: string };
  /** The choices of the last prompt, in order: numbers typed refer to them. */
  choices: Button[];
  /** The last prompt's text: a reply to it with a number or a label is the checkout's. */
  lastPrompt?: string;
  /** Bumped with every prompt; buttons carry it, so a press on an older one is recognised. */
  seq: number;
  quote?: CheckoutQuote;
  order?: CheckoutOrder;
  /** When this purchase began (the first article chosen, or the wish to order). */
  startedAt?: number;
  createdAt: number;
  updatedAt: number;
}

/** A fresh state for a conversation, browsing. */
export function newCheckoutState(key: string, channel: string, chatId: string, now: number): CheckoutState {
  return { version: 1, key, channel, chatId, id: randomUUID(), step: 'browsing', items: [], shown: [], choices: [], seq: 0, createdAt: now, updatedAt: now };
}

/**
 * Starts a new purchase in the same conversation: a new id and an empty cart, the delivery
 * details of the last one kept (the customer is asked to check them in the summary).
 */
export function startPurchase(state: CheckoutState, now: number): void {
  const fresh = state.step === 'done' || state.step === 'cancelled' || state.step === 'browsing';
  if (!fresh) return;
  state.id = randomUUID();
  state.items = [];
  delete state.pending;
  delete state.quote;
  delete state.order;
  state.startedAt = now;
  state.step = 'product';
}

/** Whether a purchase is under way (not browsing, not finished). */
export function isActive(state: CheckoutState | undefined): boolean {
  return state !== undefined && ACTIVE_STEPS.has(state.step);
}

/** The first delivery detail still missing, or `review` when all are known. */
export function nextDetail(state: CheckoutState): 'name' | 'phone' | 'zone' | 'review' {
  if (!state.name) return 'name';
  if (!state.phone) return 'phone';
  if (!state.zone) return 'zone';
  return 'review';
}

/** Pieces in the cart, all lines together. */
export function pieces(items: readonly CartItem[]): number {
  return items.reduce((sum, item) => sum + item.quantity, 0);
}

/** Adds to the cart, merging with a line of the same product and size. */
export function addItem(items: readonly CartItem[], item: CartItem): CartItem[] {
  const same = items.find((line) => line.slug === item.slug && line.size.toLowerCase() === item.size.toLowerCase());
  if (!same) return [...items, item];
  return items.map((line) => (line === same ? { ...line, quantity: line.quantity + item.quantity } : line));
}

/** `Robe Cocktail Bordeaux (M)`, with `× 2` past one piece. */
export function describeItem(item: CartItem): string {
  const size = /^(unique|tu)$/i.test(item.size) || item.size === '' ? '' : ` (${item.size})`;
  return `${item.name}${size}${item.quantity > 1 ? ` × ${item.quantity}` : ''}`;
}

/** A phone number shown to the customer, grouped by two (`+225 07 07 12 34 56`). */
export function displayPhone(e164: string): string {
  const match = /^\+225(\d{10})$/.exec(e164);
  if (!match) return e164;
  return `+225 ${match[1]!.replace(/(\d{2})(?=\d)/g, '$1 ')}`;
}

/** The last two digits only, for a model that must not see the number (`…56`). */
export function maskedPhone(e164: string): string {
  return `…${e164.slice(-2)}`;
}
