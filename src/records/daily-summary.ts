import type { Logger } from '../infra/logger.js';
import type { Store } from '../store/types.js';
import { DEFAULT_RECOVERY_WINDOW_MS, dayOf } from './figures.js';
import { dailySummaryText, startOfDay, totalsOf } from './summary.js';

const DAY_MS = 86_400_000;

/** Options of {@link createDailySummary}. */
export interface DailySummaryOptions {
  readonly store: Pick<Store, 'conversationStats'> & Partial<Pick<Store, 'paymentTotals'>>;
  /** Mobile money is on: the money it brought in is summed up too (with the store's `paymentTotals`). */
  readonly withPayments?: boolean;
  /** Tells the owner; the key `daily-summary-YYYY-MM-DD` (the day summed up) makes it once per day. */
  readonly notifyOwner: (key: string, text: string) => Promise<void>;
  readonly now?: () => number;
  /** Hour of the day (UTC, Abidjan's time) the summary goes out (default 8). */
  readonly hour?: number;
  readonly shopName?: string;
  readonly recoveryWindowMs?: number;
  /** When the database does not answer, try again after this long, until the next day (default 15 min). */
  readonly retryMs?: number;
  readonly logger?: Logger;
}

/** The owner's morning message about yesterday. */
export interface DailySummary {
  /** Arms the timer for the next `hour` o'clock (unref'd: it never keeps the process alive). */
  start(): void;
  stop(): void;
  /** Sends the summary of `day` (`YYYY-MM-DD`) now; resolves false if the store failed. */
  send(day: string): Promise<boolean>;
}

/**
 * Every day at `hour` (UTC, Abidjan's time), sends the owner yesterday's conversations,
 * fallbacks, recoveries, orders and revenue. A day already summed up by this process is not
 * sent again; the notification key makes a repeat harmless to the delivery queue too.
 *
 * @example
 * const summary = createDailySummary({ store, notifyOwner: app.notifyOwner, shopName: shop.name });
 * summary.start();
 */
export function createDailySummary(options: DailySummaryOptions): DailySummary {
  const now = options.now ?? Date.now;
  const hour = options.hour ?? 8;
  const retryMs = options.retryMs ?? 15 * 60_000;
  const sent = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;

  function nextRunAfter(at: number): number {
    const today = startOfDay(at) + hour * 3_600_000;
    return today > at ? today : today + DAY_MS;
  }

  function arm(delayMs: number): void {
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), Math.max(0, delayMs));
    timer.unref();
  }

  async function tick(): Promise<void> {
    timer = undefined;
    if (!running) return;
    const at = now();
    const yesterday = dayOf(startOfDay(at) - DAY_MS);
    const ok = await summary.send(yesterday);
    if (!running) return;
    const next = nextRunAfter(at);
    // A failed summary is retried while it still makes sense: before the next one is due.
    arm(!ok && at + retryMs < next ? retryMs : next - now());
  }

  /** Without payments, or with their figures unreadable, the summary goes without that line. */
  async function paidOn(day: string, from: number): Promise<{ fcfa: number; payments: number } | undefined> {
    if (!options.withPayments || !options.store.paymentTotals) return undefined;
    try {
      const found = (await options.store.paymentTotals({ from, to: from + DAY_MS })).find((row) => row.day === day);
      return { fcfa: found?.paidFcfa ?? 0, payments: found?.payments ?? 0 };
    } catch (error) {
      options.logger?.warn({ err: error, day }, 'daily summary: money received unknown');
      return undefined;
    }
  }

  const summary: DailySummary = {
    start() {
      if (running) return;
      running = true;
      arm(nextRunAfter(now()) - now());
    },
    stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
    },
    async send(day) {
      if (sent.has(day)) return true;
      const from = Date.parse(`${day}T00:00:00Z`);
      try {
        const stats = await options.store.conversationStats({
          from,
          to: from + DAY_MS,
          recoveryWindowMs: options.recoveryWindowMs ?? DEFAULT_RECOVERY_WINDOW_MS,
          now: now(),
        });
        const paid = await paidOn(day, from);
        await options.notifyOwner(`daily-summary-${day}`, dailySummaryText(options.shopName ?? 'Votre boutique', day, totalsOf(stats.rows), paid));
        sent.add(day);
        return true;
      } catch (error) {
        options.logger?.warn({ err: error, day }, 'daily summary not sent; will retry');
        return false;
      }
    },
  };
  return summary;
}
