/**
 * A crafted month of Mode Ivoire, small enough to count by hand, with the figures it must
 * give. The metric functions, both SQL engines, the Supabase store and the dashboard page are
 * all checked against it.
 *
 * D is the day before `now` (UTC). With the 30-minute recovery window:
 * - Telegram T1 (Awa): D-1 asks, answered. D 18:32 the scenario: fallback (timeout), asks
 *   again, late answer 17 s later → recovery; then orders a dress (45 000).
 * - Telegram T2 (Koffi): D 19:00 fallback (rate_limit), then "unavailable" only → abandon.
 * - Telegram T3 (Mariam): D 23:50 fallback (provider_error), late answer at 00:05 the next
 *   day → recovery (the window runs over midnight).
 * - WhatsApp W1 (Fatou): D 20:00 two fallbacks (timeout) for two messages, one late answer
 *   covering both → 2 recoveries.
 * - WhatsApp W2: D 21:00 a photo, "I read text only" → no fallback. Order later cancelled.
 * - WhatsApp W4 (Yao): D 22:00 fallback (timeout), the owner answers 40 min later → abandon
 *   (a real answer, but outside the window).
 * - WhatsApp W3 (Bintou): today, 10 min ago, fallback (internal) → pending.
 * - Web X1: D 15:00 catalogue answer. D-1: an order (75 000) delivered.
 * - Y: the day before the period (excluded), with a fallback answered inside the period.
 */
import type { DailyChannelStats } from '../../src/store/records.js';
import type { ConversationEvent } from '../../src/store/records.js';
import type { OrderFact } from '../../src/records/figures.js';

const DAY = 86_400_000;
const MIN = 60_000;
const SEC = 1000;

/** The default anchor: the figures below are exact for it. */
export const NOW = Date.parse('2026-11-25T12:00:00Z');
export const WINDOW_MS = 30 * MIN;

/** The history, its period and the orders (as facts; `orderRequests` places them for real). */
export interface CraftedHistory {
  readonly now: number;
  /** Start of the 30-day period. */
  readonly from: number;
  readonly events: ConversationEvent[];
  readonly orders: (OrderFact & { readonly chatId: string; readonly product: string; readonly name: string })[];
}

let counter = 0;
function uuid(): string {
  counter += 1;
  return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
}

/** Builds the history around `now` (default {@link NOW}). */
export function craftedHistory(now: number = NOW): CraftedHistory {
  const today = Math.floor(now / DAY) * DAY;
  const d = today - DAY;
  const from = today - 29 * DAY;
  const events: ConversationEvent[] = [];
  const customer = (channel: string, chatId: string, name: string | null, at: number, text: string, kind = 'text') =>
    events.push({
      id: uuid(), at, channel, chatId, direction: 'in', kind, reason: null, text,
      messageId: String(events.length + 1), replyTo: [], modelLatencyMs: null, customerName: name,
    });
  const bot = (channel: string, chatId: string, at: number, kind: string, text: string, extra: { reason?: string; latency?: number } = {}) =>
    events.push({
      id: uuid(), at, channel, chatId, direction: 'out', kind, reason: extra.reason ?? null, text,
      messageId: null, replyTo: [], modelLatencyMs: extra.latency ?? null, customerName: null,
    });
  const FALLBACK = 'Désolé, je réfléchis trop. Un petit instant... 🤔';
  const at = (day: number, h: number, m: number, s = 0) => day + h * 3_600_000 + m * MIN + s * SEC;

  // Y: before the period
  customer('telegram', 'Y', 'Ancien', from - 1 * MIN, 'Bonsoir');
  bot('telegram', 'Y', from - 30 * SEC, 'fallback', FALLBACK, { reason: 'timeout' });
  bot('telegram', 'Y', from + 10 * SEC, 'late_answer', 'Bonsoir !', { latency: 40_000 });

  // T1 (Awa)
  customer('telegram', 'T1', 'Awa Koné', at(d - DAY, 10, 0), 'Vous livrez à Marcory ?');
  bot('telegram', 'T1', at(d - DAY, 10, 0, 2), 'answer', 'Oui ! Nous livrons à Marcory. 🚚 Frais : 2 000 FCFA', { latency: 1500 });
  customer('telegram', 'T1', 'Awa Koné', at(d, 18, 32, 15), 'Bonjour, je cherche une robe pour un mariage');
  bot('telegram', 'T1', at(d, 18, 32, 45), 'fallback', FALLBACK, { reason: 'timeout' });
  customer('telegram', 'T1', 'Awa Koné', at(d, 18, 33, 0), 'Des robes élégantes pour mariage');
  bot('telegram', 'T1', at(d, 18, 33, 2), 'late_answer', 'Bonjour ! 👗 Parfait pour un mariage ! Robe Cocktail Bordeaux - 45 000 FCFA', { latency: 2000 });
  customer('telegram', 'T1', 'Awa Koné', at(d, 18, 34, 0), 'La bordeaux en M me plaît !');
  bot('telegram', 'T1', at(d, 18, 34, 3), 'answer', 'Excellent choix ! 🎉 Quel est votre nom complet ?', { latency: 3000 });

  // T2 (Koffi): abandon
  customer('telegram', 'T2', 'Koffi', at(d, 19, 0), 'Vous avez des chemises en lin ?');
  bot('telegram', 'T2', at(d, 19, 0, 8), 'fallback', FALLBACK, { reason: 'rate_limit' });
  bot('telegram', 'T2', at(d, 19, 1, 0), 'unavailable', 'Toutes nos excuses, je n’arrive pas à vous répondre pour le moment 🙏');

  // T3 (Mariam): recovery over midnight
  customer('telegram', 'T3', 'Mariam', at(d, 23, 50), 'Livraison Marcory possible ?');
  bot('telegram', 'T3', at(d, 23, 50, 8), 'fallback', FALLBACK, { reason: 'provider_error' });
  bot('telegram', 'T3', at(today, 0, 5), 'late_answer', 'Oui ! Nous livrons à Marcory. 🚚', { latency: 15_000 });

  // W1 (Fatou): two fallbacks, one late answer
  customer('whatsapp', 'W1', 'Fatou', at(d, 20, 0), 'Bonsoir');
  bot('whatsapp', 'W1', at(d, 20, 0, 8), 'fallback', FALLBACK, { reason: 'timeout' });
  customer('whatsapp', 'W1', 'Fatou', at(d, 20, 0, 9), 'Vous êtes ouverts demain ?');
  bot('whatsapp', 'W1', at(d, 20, 0, 17), 'fallback', FALLBACK, { reason: 'timeout' });
  bot('whatsapp', 'W1', at(d, 20, 0, 20), 'late_answer', 'Bonsoir ! Oui, de 9 h à 19 h.', { latency: 12_000 });

  // W2: a photo
  customer('whatsapp', 'W2', null, at(d, 21, 0), '', 'photo');
  bot('whatsapp', 'W2', at(d, 21, 0, 1), 'unsupported', 'Merci pour votre photo ! Je ne sais lire que les messages écrits.');

  // W4 (Yao): answered by the owner, too late for a recovery
  customer('whatsapp', 'W4', 'Yao', at(d, 22, 0), 'Je veux la robe wax en L');
  bot('whatsapp', 'W4', at(d, 22, 0, 8), 'fallback', FALLBACK, { reason: 'timeout' });
  bot('whatsapp', 'W4', at(d, 22, 40), 'human', 'Bonsoir Yao, oui elle est disponible en L.');

  // W3 (Bintou): pending
  customer('whatsapp', 'W3', 'Bintou <b>', now - 10 * MIN, 'Bonjour <script>alert(1)</script>');
  bot('whatsapp', 'W3', now - 10 * MIN + 8 * SEC, 'fallback', FALLBACK, { reason: 'internal' });

  // X1: web
  customer('web', 'X1', null, at(d, 15, 0), 'Combien coûte la livraison à Cocody ?');
  bot('web', 'X1', at(d, 15, 0, 1), 'catalogue_answer', 'Livraison à Cocody : 2 500 FCFA, 24–48 h.');

  const orders = [
    { createdAt: at(d, 18, 35), channel: 'telegram', chatId: 'T1', status: 'pending', subtotalFcfa: 45_000, product: 'robe-cocktail-bordeaux', name: 'Awa Koné' },
    { createdAt: at(d, 21, 5), channel: 'whatsapp', chatId: 'W2', status: 'cancelled', subtotalFcfa: 25_000, product: 'robe-wax-evasee', name: 'Aya' },
    { createdAt: at(d - DAY, 11, 0), channel: 'web', chatId: 'X1', status: 'delivered', subtotalFcfa: 75_000, product: 'robe-longue-dentelle', name: 'Adjoua' },
  ];
  return { now, from, events, orders };
}

const zero = { timeout: 0, rate_limit: 0, provider_error: 0, internal: 0 };
const row = (day: string, channel: string, values: Partial<DailyChannelStats>): DailyChannelStats => ({
  day, channel, conversations: 0, messages: 0, fallbacks: zero, recoveries: 0, abandons: 0, pending: 0, orders: 0, revenueFcfa: 0, ...values,
});

/** The rows `conversation_stats` must return for {@link craftedHistory}() over its period. */
export const EXPECTED_ROWS: DailyChannelStats[] = [
  row('2026-11-23', 'telegram', { conversations: 1, messages: 1 }),
  row('2026-11-23', 'web', { orders: 1, revenueFcfa: 75_000 }),
  row('2026-11-24', 'telegram', {
    conversations: 3, messages: 5, fallbacks: { ...zero, timeout: 1, rate_limit: 1, provider_error: 1 },
    recoveries: 2, abandons: 1, orders: 1, revenueFcfa: 45_000,
  }),
  row('2026-11-24', 'web', { conversations: 1, messages: 1 }),
  row('2026-11-24', 'whatsapp', { conversations: 3, messages: 4, fallbacks: { ...zero, timeout: 3 }, recoveries: 2, abandons: 1 }),
  row('2026-11-25', 'whatsapp', { conversations: 1, messages: 1, fallbacks: { ...zero, internal: 1 }, pending: 1 }),
];

/** The latency the period holds: 1500, 2000, 3000, 12 000, 15 000 and Y's 40 000 ms. */
export const EXPECTED_LATENCY = { count: 6, p50: 3000, p90: 40_000, p99: 40_000 };

/** The 30-day totals the dashboard must show. */
export const EXPECTED_TOTALS = {
  conversations: 9,
  messages: 12,
  fallbacks: 7,
  timeouts: 4,
  errors: 3,
  recoveries: 4,
  abandons: 2,
  pending: 1,
  recoveryRate: 4 / 7,
  orders: 2,
  revenueFcfa: 120_000,
};
