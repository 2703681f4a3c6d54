import type { HandedOffChat } from '../handoff/state-file.js';
import type { Logger } from '../infra/logger.js';
import { classifyFallbacks, DEFAULT_RECOVERY_WINDOW_MS, type FallbackOutcome } from '../records/figures.js';
import { dailySeries, startOfDay, totalsByChannel, totalsOf, type DailySeries, type Totals } from '../records/summary.js';
import type { ConversationTimeline, LatencyStats, RecentOrder } from '../store/records.js';
import type { DailyPaidTotal } from '../store/payments.js';
import type { Store } from '../store/types.js';
import type { CheckoutsView } from './dashboard-checkouts.js';

const DAY_MS = 86_400_000;

/** What the dashboard reads from the store; without `paymentTotals` the money received is not shown. */
export type DashboardStore = Pick<Store, 'conversationStats' | 'listRecentOrders' | 'listRecentConversations' | 'setOrderStatus'> &
  Partial<Pick<Store, 'paymentTotals'>>;

/** Money received by mobile money over the period (payments paid, by the day they were paid). */
export interface PaidFigures {
  readonly todayFcfa: number;
  readonly todayPayments: number;
  readonly periodFcfa: number;
  /** FCFA per `YYYY-MM-DD`. */
  readonly byDay: Readonly<Record<string, number>>;
}

/** The figures of the period, as `/admin/api/stats` returns them. */
export interface DashboardStats {
  /** Epoch ms: start of the first day, and now. */
  readonly from: number;
  readonly to: number;
  readonly days: number;
  readonly recoveryWindowMinutes: number;
  readonly totals: Totals;
  readonly series: DailySeries;
  readonly channels: readonly { readonly channel: string; readonly totals: Totals }[];
  readonly latency: LatencyStats;
}

/** A recent conversation, with what became of each of its fallbacks. */
export interface TimelineView extends ConversationTimeline {
  readonly outcomes: ReadonlyMap<string, FallbackOutcome>;
}

/** Everything the page shows; a `null` part could not be read (the database is down). */
export interface DashboardView {
  readonly shopName: string;
  readonly now: number;
  readonly stats: DashboardStats | null;
  readonly orders: readonly RecentOrder[] | null;
  readonly conversations: readonly TimelineView[] | null;
  readonly handoffs: readonly HandedOffChat[];
  /** `null` when unknown (database down) or when the store keeps no payments. */
  readonly paid: PaidFigures | null;
  /** The checkout's purchases; absent without a checkout, `null` when unreadable. */
  readonly checkouts?: CheckoutsView | null;
}

/** How much the dashboard shows. */
export interface DashboardScope {
  readonly days: number;
  readonly recoveryWindowMs: number;
  readonly recentOrders: number;
  readonly recentConversations: number;
  readonly eventsPerConversation: number;
}

/** The defaults: 30 days, a 30-minute recovery window, 15 orders, 12 conversations of 30 events. */
export const DEFAULT_SCOPE: DashboardScope = {
  days: 30,
  recoveryWindowMs: DEFAULT_RECOVERY_WINDOW_MS,
  recentOrders: 15,
  recentConversations: 12,
  eventsPerConversation: 30,
};

/** The last `scope.days` days, today included (UTC days, Abidjan's time). */
export async function loadStats(store: DashboardStore, now: number, scope: DashboardScope): Promise<DashboardStats> {
  const from = startOfDay(now) - (scope.days - 1) * DAY_MS;
  const stats = await store.conversationStats({ from, to: now + 1, recoveryWindowMs: scope.recoveryWindowMs, now });
  return {
    from,
    to: now,
    days: scope.days,
    recoveryWindowMinutes: Math.round(scope.recoveryWindowMs / 60_000),
    totals: totalsOf(stats.rows),
    series: dailySeries(stats.rows, from, now + 1),
    channels: totalsByChannel(stats.rows),
    latency: stats.latency,
  };
}

/** Reads everything the page shows, each part on its own: one failing leaves the others. */
export async function loadView(input: {
  readonly store: DashboardStore;
  readonly handoffs: () => readonly HandedOffChat[];
  readonly shopName: string;
  readonly now: number;
  readonly scope: DashboardScope;
  readonly logger?: Logger;
  /** Mobile money is on: the money received is read and shown. */
  readonly withPayments?: boolean;
}): Promise<DashboardView> {
  const { store, now, scope } = input;
  const from = startOfDay(now) - (scope.days - 1) * DAY_MS;
  const [stats, orders, conversations, paid] = await Promise.allSettled([
    loadStats(store, now, scope),
    store.listRecentOrders(scope.recentOrders),
    store.listRecentConversations({
      since: now - scope.days * DAY_MS,
      limit: scope.recentConversations,
      eventsPerConversation: scope.eventsPerConversation,
    }),
    input.withPayments && store.paymentTotals ? store.paymentTotals({ from, to: now + 1 }).then((days) => paidFigures(days, now)) : Promise.resolve(null),
  ]);
  for (const result of [stats, orders, conversations, paid]) {
    if (result.status === 'rejected') input.logger?.warn({ err: result.reason }, 'dashboard: part of the page could not be read');
  }
  return {
    shopName: input.shopName,
    now,
    stats: stats.status === 'fulfilled' ? stats.value : null,
    orders: orders.status === 'fulfilled' ? orders.value : null,
    conversations:
      conversations.status === 'fulfilled'
        ? conversations.value.map((chat) => ({
            ...chat,
            outcomes: classifyFallbacks(chat.events, { windowMs: scope.recoveryWindowMs, now }),
          }))
        : null,
    handoffs: input.handoffs(),
    paid: paid.status === 'fulfilled' ? paid.value : null,
  };
}

function paidFigures(days: readonly DailyPaidTotal[], now: number): PaidFigures {
  const today = new Date(now).toISOString().slice(0, 10);
  const byDay = Object.fromEntries(days.map((day) => [day.day, day.paidFcfa]));
  const todays = days.find((day) => day.day === today);
  return {
    todayFcfa: todays?.paidFcfa ?? 0,
    todayPayments: todays?.payments ?? 0,
    periodFcfa: days.reduce((sum, day) => sum + day.paidFcfa, 0),
    byDay,
  };
}
