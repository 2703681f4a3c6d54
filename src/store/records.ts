/**
 * What the store keeps of conversations (every message and reply) and what it reads back for
 * the owner's dashboard, plus the mapping to and from the SQL functions of
 * `supabase/migrations/20261201000000_conversation_events.sql`, shared by both engines.
 */
import { z } from 'zod';
import { parseRow } from './errors.js';
import { PAYMENT_JSON, toPayment, type Payment } from './payments.js';
import { toPlacedOrder } from './sql.js';
import type { PlacedOrder } from './types.js';

/** `in`: the customer wrote; `out`: the shop answered (the bot, or the owner in person). */
export type EventDirection = 'in' | 'out';

/** One message of a conversation, as recorded. */
export interface ConversationEvent {
  /** A uuid made by the recorder: a batch written twice is recorded once. */
  readonly id: string;
  /** When it was received or delivered (epoch ms). */
  readonly at: number;
  readonly channel: string;
  readonly chatId: string;
  readonly direction: EventDirection;
  /**
   * `in`: the message kind (`text`, `photo`…). `out`: the reply kind (`answer`, `late_answer`,
   * `catalogue_answer`, `fallback`, `unavailable`, `unsupported`, `human`, `handoff`).
   */
  readonly kind: string;
  /** Why a fallback went out (`timeout`, `rate_limit`, `provider_error`, `internal`). */
  readonly reason: string | null;
  readonly text: string;
  /** The platform's id of a customer message; `null` for replies. */
  readonly messageId: string | null;
  /** The customer messages a reply answers. */
  readonly replyTo: readonly string[];
  /** How long the model took for the turn this answer ends. */
  readonly modelLatencyMs: number | null;
  /** The customer's display name, when the platform gives one (customer messages). */
  readonly customerName: string | null;
}

/** Fallbacks counted by reason: `timeout` apart from the errors. */
export interface FallbackCounts {
  readonly timeout: number;
  readonly rate_limit: number;
  readonly provider_error: number;
  readonly internal: number;
}

/** The figures of one channel on one day (UTC, which is Abidjan's time). */
export interface DailyChannelStats {
  /** `YYYY-MM-DD`. */
  readonly day: string;
  readonly channel: string;
  /** Chats with at least one customer message that day. */
  readonly conversations: number;
  /** Customer messages. */
  readonly messages: number;
  readonly fallbacks: FallbackCounts;
  /** Fallbacks followed by a real answer within the recovery window. */
  readonly recoveries: number;
  /** Fallbacks whose recovery window ended with no real answer. */
  readonly abandons: number;
  /** Fallbacks still inside their recovery window, unanswered so far. */
  readonly pending: number;
  /** Orders placed (cancelled ones excluded). */
  readonly orders: number;
  /** What those orders sold, delivery fees excluded (FCFA). */
  readonly revenueFcfa: number;
}

/** Model latency percentiles (nearest rank) over the answers that recorded one. */
export interface LatencyStats {
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
}

/** What {@link StatsQuery} returns. */
export interface ConversationStats {
  /** One row per (day, channel) with any activity, by day then channel. */
  readonly rows: readonly DailyChannelStats[];
  readonly latency: LatencyStats;
}

/** Which period the figures cover. */
export interface StatsQuery {
  /** Start, inclusive (epoch ms). */
  readonly from: number;
  /** End, exclusive (epoch ms). */
  readonly to: number;
  /** How long after a fallback a real answer still counts as a recovery (ms). */
  readonly recoveryWindowMs: number;
  /** Fallbacks whose window ends after this are `pending` (epoch ms; default: now). */
  readonly now?: number;
}

/** An order as the dashboard lists it: the placed order, the chat it came from, its latest payment. */
export interface RecentOrder extends PlacedOrder {
  readonly channel: string;
  readonly chatId: string;
  /** The latest mobile-money payment; `null` when none was made (cash on delivery). */
  readonly payment: Payment | null;
}

/** A recent conversation with its last events, oldest first. */
export interface ConversationTimeline {
  readonly channel: string;
  readonly chatId: string;
  readonly customerName: string | null;
  /** Epoch ms of the last event. */
  readonly lastAt: number;
  readonly events: readonly ConversationEvent[];
}

/** Which conversations {@link ConversationTimeline} lists. */
export interface TimelineQuery {
  /** Only chats active since then (epoch ms). */
  readonly since: number;
  /** How many chats (default 20, at most 200). */
  readonly limit?: number;
  /** How many events per chat, the latest (default 30, at most 500). */
  readonly eventsPerConversation?: number;
}

/** The jsonb array `record_conversation_events` takes. */
export function eventsArg(events: readonly ConversationEvent[]): Record<string, unknown>[] {
  return events.map((event) => ({
    id: event.id,
    at: new Date(event.at).toISOString(),
    channel: event.channel,
    chat_id: event.chatId,
    direction: event.direction,
    kind: event.kind,
    reason: event.reason,
    text: event.text,
    message_id: event.messageId,
    reply_to: [...event.replyTo],
    model_latency_ms: event.modelLatencyMs === null ? null : Math.max(0, Math.round(event.modelLatencyMs)),
    customer_name: event.customerName,
  }));
}

/** The arguments of `conversation_stats`, named as PostgREST wants them. */
export function statsArgs(query: StatsQuery): Record<string, unknown> {
  return {
    p_from: new Date(query.from).toISOString(),
    p_to: new Date(query.to).toISOString(),
    p_recovery_window_seconds: Math.round(query.recoveryWindowMs / 1000),
    p_now: new Date(query.now ?? Date.now()).toISOString(),
  };
}

/** The arguments of `recent_conversations`. */
export function timelineArgs(query: TimelineQuery): Record<string, unknown> {
  return {
    p_since: new Date(query.since).toISOString(),
    p_limit: query.limit ?? 20,
    p_events: query.eventsPerConversation ?? 30,
  };
}

const count = z.number().int().nonnegative();
const timestamp = z.string().transform((value, ctx) => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: `not a timestamp: ${value}` });
  return ms;
});

const statsJson = z.object({
  rows: z.array(
    z.object({
      day: z.string(),
      channel: z.string(),
      conversations: count,
      messages: count,
      fallbacks: z.object({ timeout: count, rate_limit: count, provider_error: count, internal: count }),
      recoveries: count,
      abandons: count,
      pending: count,
      orders: count,
      revenue_fcfa: z.number().int(),
    }),
  ),
  latency: z.object({ count, p50: z.number().nullable(), p90: z.number().nullable(), p99: z.number().nullable() }),
});

const eventJson = z.object({
  id: z.string(),
  at: timestamp,
  direction: z.enum(['in', 'out']),
  kind: z.string(),
  reason: z.string().nullable(),
  text: z.string(),
  message_id: z.string().nullable(),
  reply_to: z.array(z.string()),
  model_latency_ms: z.number().int().nullable(),
  customer_name: z.string().nullable(),
});

const timelineJson = z.array(
  z.object({
    channel: z.string(),
    chat_id: z.string(),
    customer_name: z.string().nullable(),
    last_at: timestamp,
    events: z.array(eventJson),
  }),
);

const orderOrigin = z.object({ channel: z.string(), chat_id: z.string(), payment: PAYMENT_JSON.nullable().optional() });

/** Maps the jsonb of `order_by_id`: one order, or `null`. */
export function toFoundOrder(operation: string, json: unknown): RecentOrder | null {
  return json === null || json === undefined ? null : (toRecentOrders(operation, [json])[0] ?? null);
}

/** Maps the jsonb of `conversation_stats`. */
export function toConversationStats(operation: string, json: unknown): ConversationStats {
  const parsed = parseRow(operation, statsJson, json);
  return {
    rows: parsed.rows.map(({ revenue_fcfa: revenueFcfa, ...row }) => ({ ...row, revenueFcfa })),
    latency: parsed.latency,
  };
}

/** Maps the jsonb of `recent_orders`. */
export function toRecentOrders(operation: string, json: unknown): RecentOrder[] {
  return parseRow(operation, z.array(z.unknown()), json).map((item) => {
    const origin = parseRow(operation, orderOrigin, item);
    const payment = origin.payment ? toPayment(origin.payment) : null;
    return { ...toPlacedOrder(operation, item), channel: origin.channel, chatId: origin.chat_id, payment };
  });
}

/** Maps the jsonb of `recent_conversations`. */
export function toTimelines(operation: string, json: unknown): ConversationTimeline[] {
  return parseRow(operation, timelineJson, json).map((chat) => ({
    channel: chat.channel,
    chatId: chat.chat_id,
    customerName: chat.customer_name,
    lastAt: chat.last_at,
    events: chat.events.map((event) => ({
      id: event.id,
      at: event.at,
      channel: chat.channel,
      chatId: chat.chat_id,
      direction: event.direction,
      kind: event.kind,
      reason: event.reason,
      text: event.text,
      messageId: event.message_id,
      replyTo: event.reply_to,
      modelLatencyMs: event.model_latency_ms,
      customerName: event.customer_name,
    })),
  }));
}

