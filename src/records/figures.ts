/**
 * The dashboard's figures, defined once as pure functions over a recorded history. The SQL
 * function `conversation_stats` computes the same at scale; the shared test history checks
 * both give the same numbers.
 *
 * - A **day** is a UTC day, which is Abidjan's local day (GMT all year).
 * - A **conversation** is a (channel, chat) with at least one customer message that day.
 * - A **fallback** is a reply of kind `fallback`; its reason tells timeouts (`timeout`) from
 *   errors (`rate_limit`, `provider_error`, `internal`).
 * - A **recovery** is a fallback followed, in the same chat, by a real answer (`answer`,
 *   `late_answer`, `catalogue_answer`, or the owner's own reply `human`) within the recovery
 *   window (30 minutes by default) after it.
 * - An **abandon** is a fallback with no real answer within its window, once that window is over.
 * - A fallback still inside its window, unanswered so far, is **pending**.
 * - **Orders** and **revenue**: orders placed that day, cancelled ones excluded; revenue is
 *   what they sold, delivery fees excluded.
 * - **Recovery rate** = recoveries / fallbacks.
 */
import type {
  ConversationEvent,
  ConversationStats,
  DailyChannelStats,
  FallbackCounts,
  LatencyStats,
  StatsQuery,
} from '../store/records.js';

/** How long after a fallback a real answer still counts as its recovery (30 minutes). */
export const DEFAULT_RECOVERY_WINDOW_MS = 30 * 60_000;

/** Reply kinds that give the customer what they asked for (a fallback, "unavailable"… do not). */
export const REAL_ANSWER_KINDS: readonly string[] = ['answer', 'late_answer', 'catalogue_answer', 'human'];

/** What became of a fallback. */
export type FallbackOutcome = 'recovered' | 'abandoned' | 'pending';

/** An order as the figures need it. */
export interface OrderFact {
  /** Epoch ms. */
  readonly createdAt: number;
  readonly channel: string;
  readonly status: string;
  /** Goods only, delivery fee excluded (FCFA). */
  readonly subtotalFcfa: number;
}

/** The figures' timing: the recovery window, and the moment that decides what is still pending. */
export interface OutcomeOptions {
  readonly windowMs: number;
  /** Epoch ms. */
  readonly now: number;
}

/** `YYYY-MM-DD` of a moment, in UTC (Abidjan's time). */
export function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** True for the reply kinds that are a real answer. */
export function isRealAnswer(event: Pick<ConversationEvent, 'direction' | 'kind'>): boolean {
  return event.direction === 'out' && REAL_ANSWER_KINDS.includes(event.kind);
}

/** Every fallback reason outside the known three is counted as `internal`. */
export function fallbackReasonOf(reason: string | null): keyof FallbackCounts {
  return reason === 'timeout' || reason === 'rate_limit' || reason === 'provider_error' ? reason : 'internal';
}

/**
 * The outcome of every fallback in `events` (any order, any chats), by event id. A fallback
 * is recovered by a real answer in its chat later than it and at most `windowMs` after it.
 */
export function classifyFallbacks(events: readonly ConversationEvent[], options: OutcomeOptions): Map<string, FallbackOutcome> {
  const answersByChat = new Map<string, number[]>();
  for (const event of events) {
    if (!isRealAnswer(event)) continue;
    const key = chatKey(event);
    const list = answersByChat.get(key) ?? [];
    list.push(event.at);
    answersByChat.set(key, list);
  }
  const outcomes = new Map<string, FallbackOutcome>();
  for (const event of events) {
    if (event.direction !== 'out' || event.kind !== 'fallback') continue;
    const answers = answersByChat.get(chatKey(event)) ?? [];
    const windowEnd = event.at + options.windowMs;
    const recovered = answers.some((at) => at > event.at && at <= windowEnd);
    outcomes.set(event.id, recovered ? 'recovered' : windowEnd <= options.now ? 'abandoned' : 'pending');
  }
  return outcomes;
}

/**
 * The figures per (day, channel) of a history, for `[query.from, query.to)`: the reference
 * definition of what `Store.conversationStats` returns. Answers after `query.to` still
 * recover a fallback made before it (yesterday's 23:50 fallback answered at 00:05).
 */
export function conversationStatsOf(
  events: readonly ConversationEvent[],
  orders: readonly OrderFact[],
  query: StatsQuery,
): ConversationStats {
  const inRange = (at: number) => at >= query.from && at < query.to;
  const outcomes = classifyFallbacks(events, { windowMs: query.recoveryWindowMs, now: query.now ?? Date.now() });
  const rows = new Map<string, MutableRow>();
  const rowOf = (at: number, channel: string): MutableRow => {
    const day = dayOf(at);
    const key = `${day}\u0000${channel}`;
    let row = rows.get(key);
    if (!row) {
      row = emptyRow(day, channel);
      rows.set(key, row);
    }
    return row;
  };
  const chatsPerRow = new Map<MutableRow, Set<string>>();
  const latencies: number[] = [];

  for (const event of events) {
    if (!inRange(event.at)) continue;
    if (event.modelLatencyMs !== null) latencies.push(event.modelLatencyMs);
    if (event.direction === 'in') {
      const row = rowOf(event.at, event.channel);
      row.messages += 1;
      const chats = chatsPerRow.get(row) ?? new Set<string>();
      chats.add(event.chatId);
      chatsPerRow.set(row, chats);
    } else if (event.kind === 'fallback') {
      const row = rowOf(event.at, event.channel);
      row.fallbacks[fallbackReasonOf(event.reason)] += 1;
      const outcome = outcomes.get(event.id);
      if (outcome === 'recovered') row.recoveries += 1;
      else if (outcome === 'abandoned') row.abandons += 1;
      else row.pending += 1;
    }
  }
  for (const [row, chats] of chatsPerRow) row.conversations = chats.size;
  for (const order of orders) {
    if (!inRange(order.createdAt) || order.status === 'cancelled') continue;
    const row = rowOf(order.createdAt, order.channel);
    row.orders += 1;
    row.revenueFcfa += order.subtotalFcfa;
  }

  const sorted = [...rows.values()].sort((a, b) => compare(a.day, b.day) || compare(a.channel, b.channel));
  return { rows: sorted, latency: latencyOf(latencies) };
}

/** p50/p90/p99 by nearest rank (PostgreSQL's `percentile_disc`). */
export function latencyOf(values: readonly number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99) };
}

/** The smallest value whose share of values at or below it reaches `p` (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
type MutableRow = Mutable<DailyChannelStats>;

function emptyRow(day: string, channel: string): MutableRow {
  return {
    day,
    channel,
    conversations: 0,
    messages: 0,
    fallbacks: { timeout: 0, rate_limit: 0, provider_error: 0, internal: 0 },
    recoveries: 0,
    abandons: 0,
    pending: 0,
    orders: 0,
    revenueFcfa: 0,
  };
}

function chatKey(event: Pick<ConversationEvent, 'channel' | 'chatId'>): string {
  return `${event.channel}\u0000${event.chatId}`;
}

// Byte order, as PostgreSQL's "C"-like comparison of the short ASCII keys used here.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
