/**
 * Turns the per-(day, channel) figures into what the owner reads: totals, a daily series with
 * every day present, the split by channel, and the daily Telegram summary.
 */
import type { DailyChannelStats, FallbackCounts } from '../store/records.js';
import { dayOf } from './figures.js';

/** The figures of a period (or of one channel over it). */
export interface Totals {
  readonly conversations: number;
  readonly messages: number;
  readonly fallbacks: number;
  readonly fallbacksByReason: FallbackCounts;
  /** Timeouts apart: `timeout`. Errors: the other reasons together. */
  readonly timeouts: number;
  readonly errors: number;
  readonly recoveries: number;
  readonly abandons: number;
  readonly pending: number;
  /** recoveries / fallbacks, `null` without fallbacks. */
  readonly recoveryRate: number | null;
  readonly orders: number;
  readonly revenueFcfa: number;
}

/** One series per figure, one value per day, every day of the period present. */
export interface DailySeries {
  /** `YYYY-MM-DD`, oldest first. */
  readonly days: readonly string[];
  readonly conversations: readonly number[];
  readonly fallbacks: readonly number[];
  readonly recoveries: readonly number[];
  readonly abandons: readonly number[];
  readonly orders: readonly number[];
  readonly revenueFcfa: readonly number[];
}

const DAY_MS = 86_400_000;

/** Adds up rows (any days, any channels). */
export function totalsOf(rows: readonly DailyChannelStats[]): Totals {
  const byReason = { timeout: 0, rate_limit: 0, provider_error: 0, internal: 0 };
  let conversations = 0;
  let messages = 0;
  let recoveries = 0;
  let abandons = 0;
  let pending = 0;
  let orders = 0;
  let revenueFcfa = 0;
  for (const row of rows) {
    conversations += row.conversations;
    messages += row.messages;
    byReason.timeout += row.fallbacks.timeout;
    byReason.rate_limit += row.fallbacks.rate_limit;
    byReason.provider_error += row.fallbacks.provider_error;
    byReason.internal += row.fallbacks.internal;
    recoveries += row.recoveries;
    abandons += row.abandons;
    pending += row.pending;
    orders += row.orders;
    revenueFcfa += row.revenueFcfa;
  }
  const errors = byReason.rate_limit + byReason.provider_error + byReason.internal;
  const fallbacks = byReason.timeout + errors;
  return {
    conversations,
    messages,
    fallbacks,
    fallbacksByReason: byReason,
    timeouts: byReason.timeout,
    errors,
    recoveries,
    abandons,
    pending,
    recoveryRate: fallbacks === 0 ? null : recoveries / fallbacks,
    orders,
    revenueFcfa,
  };
}

/** Totals per channel, the busiest first. */
export function totalsByChannel(rows: readonly DailyChannelStats[]): { channel: string; totals: Totals }[] {
  const channels = [...new Set(rows.map((row) => row.channel))];
  return channels
    .map((channel) => ({ channel, totals: totalsOf(rows.filter((row) => row.channel === channel)) }))
    .sort((a, b) => b.totals.conversations - a.totals.conversations || (a.channel < b.channel ? -1 : 1));
}

/** The days `[from, to)` (UTC), each with its figures, zero when nothing happened. */
export function dailySeries(rows: readonly DailyChannelStats[], from: number, to: number): DailySeries {
  const days: string[] = [];
  for (let at = Date.UTC(...utcDate(from)); at < to; at += DAY_MS) days.push(dayOf(at));
  const perDay = new Map(days.map((day) => [day, totalsOf(rows.filter((row) => row.day === day))]));
  const series = (pick: (totals: Totals) => number) => days.map((day) => pick(perDay.get(day)!));
  return {
    days,
    conversations: series((t) => t.conversations),
    fallbacks: series((t) => t.fallbacks),
    recoveries: series((t) => t.recoveries),
    abandons: series((t) => t.abandons),
    orders: series((t) => t.orders),
    revenueFcfa: series((t) => t.revenueFcfa),
  };
}

/** Start of the UTC day of `at` (epoch ms). */
export function startOfDay(at: number): number {
  return Date.UTC(...utcDate(at));
}

const number = new Intl.NumberFormat('fr-FR');

/** `45 000` (French grouping; the narrow no-break space Intl gives becomes a plain no-break space). */
export function formatNumber(value: number): string {
  return number.format(value).replace(/\u202f/g, '\u00a0');
}

/** `45 000 FCFA`. */
export function formatFcfa(value: number): string {
  return `${formatNumber(value)}\u00a0FCFA`;
}

/** `87 %`, or `—` when there is nothing to divide. */
export function formatRate(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)}\u00a0%`;
}

/** `mardi 24 novembre` for a `YYYY-MM-DD` day. */
export function formatDay(day: string, options: Intl.DateTimeFormatOptions = { weekday: 'long', day: 'numeric', month: 'long' }): string {
  return new Intl.DateTimeFormat('fr-FR', { ...options, timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

/** The owner's morning message about one day; `paid`: what mobile money brought in that day, when payments are on. */
export function dailySummaryText(shopName: string, day: string, totals: Totals, paid?: { readonly fcfa: number; readonly payments: number }): string {
  const lines = [
    `📊 ${shopName} — bilan du ${formatDay(day)}`,
    `💬 Conversations : ${formatNumber(totals.conversations)} (${formatNumber(totals.messages)} messages)`,
  ];
  if (totals.fallbacks === 0) {
    lines.push('⚠️ Réponses de secours : 0 — aucun client n’a attendu');
  } else {
    lines.push(
      `⚠️ Réponses de secours : ${formatNumber(totals.fallbacks)} (${plural(totals.timeouts, 'délai dépassé', 'délais dépassés')}, ${plural(totals.errors, 'erreur', 'erreurs')})`,
      `✅ Récupérées : ${formatNumber(totals.recoveries)} (${formatRate(totals.recoveryRate)}) · ❌ Abandons : ${formatNumber(totals.abandons)}`,
    );
  }
  lines.push(`🛍️ Commandes : ${formatNumber(totals.orders)} · 💰 Ventes : ${formatFcfa(totals.revenueFcfa)}`);
  if (paid) lines.push(`💳 Encaissé par mobile money : ${formatFcfa(paid.fcfa)} (${plural(paid.payments, 'paiement', 'paiements')})`);
  return lines.join('\n');
}

function plural(count: number, one: string, many: string): string {
  return `${formatNumber(count)} ${count > 1 ? many : one}`;
}

function utcDate(at: number): [number, number, number] {
  const date = new Date(at);
  return [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
}
