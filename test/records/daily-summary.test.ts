import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/infra/logger.js';
import { createDailySummary } from '../../src/records/daily-summary.js';
import { conversationStatsOf } from '../../src/records/figures.js';
import { StoreError } from '../../src/store/errors.js';
import type { StatsQuery } from '../../src/store/records.js';
import { craftedHistory } from './history.js';

const HOUR = 3_600_000;

describe('the daily summary', () => {
  const history = craftedHistory();
  const notices: [string, string][] = [];
  const queries: StatsQuery[] = [];
  const state = { down: false };
  const store = {
    async conversationStats(query: StatsQuery) {
      queries.push(query);
      if (state.down) throw new StoreError('events.stats', { code: 'store_unavailable' });
      return conversationStatsOf(history.events, history.orders, query);
    },
  };
  const notifyOwner = async (key: string, text: string) => {
    notices.push([key, text]);
  };

  beforeEach(() => {
    notices.length = 0;
    queries.length = 0;
    state.down = false;
    vi.useFakeTimers({ now: Date.parse('2026-11-25T06:30:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends yesterday’s figures at 8:00 (Abidjan), once, then every day at 8:00', async () => {
    const summary = createDailySummary({ store, notifyOwner, shopName: 'Mode Ivoire', logger: createLogger({ level: 'silent' }) });
    summary.start();
    await vi.advanceTimersByTimeAsync(1.5 * HOUR - 1);
    expect(notices).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(notices).toHaveLength(1);
    const [key, text] = notices[0]!;
    expect(key).toBe('daily-summary-2026-11-24');
    expect(text).toContain('bilan du mardi 24 novembre');
    expect(text).toContain('Conversations : 7 (10 messages)');
    expect(text).toContain('Réponses de secours : 6 (4 délais dépassés, 2 erreurs)');
    expect(text).toContain('Récupérées : 4 (67\u00a0%) · ❌ Abandons : 2');
    expect(text).toContain('Commandes : 1 · 💰 Ventes : 45\u00a0000\u00a0FCFA');
    expect(queries[0]).toMatchObject({ from: Date.parse('2026-11-24T00:00:00Z'), to: Date.parse('2026-11-25T00:00:00Z') });

    await vi.advanceTimersByTimeAsync(24 * HOUR);
    expect(notices.map(([k]) => k)).toEqual(['daily-summary-2026-11-24', 'daily-summary-2026-11-25']);
    summary.stop();
    await vi.advanceTimersByTimeAsync(48 * HOUR);
    expect(notices).toHaveLength(2);
  });

  it('retries every 15 minutes while the database is down, and sends once it answers', async () => {
    state.down = true;
    const summary = createDailySummary({ store, notifyOwner, hour: 7 });
    summary.start();
    await vi.advanceTimersByTimeAsync(0.5 * HOUR);
    expect(queries).toHaveLength(1);
    expect(notices).toEqual([]);
    await vi.advanceTimersByTimeAsync(15 * 60_000);
    expect(queries).toHaveLength(2);
    state.down = false;
    await vi.advanceTimersByTimeAsync(15 * 60_000);
    expect(notices.map(([k]) => k)).toEqual(['daily-summary-2026-11-24']);
    await vi.advanceTimersByTimeAsync(15 * 60_000);
    expect(queries).toHaveLength(3);
    summary.stop();
  });

  it('does not send the same day twice', async () => {
    const summary = createDailySummary({ store, notifyOwner });
    expect(await summary.send('2026-11-24')).toBe(true);
    expect(await summary.send('2026-11-24')).toBe(true);
    expect(notices).toHaveLength(1);
  });

  it('never keeps the process alive', () => {
    const summary = createDailySummary({ store, notifyOwner });
    const spy = vi.spyOn(globalThis, 'setTimeout');
    summary.start();
    const timer = spy.mock.results.at(-1)!.value as { hasRef(): boolean };
    expect(timer.hasRef()).toBe(false);
    summary.stop();
  });
});

describe('the daily summary with mobile money', () => {
  it('adds what mobile money brought in yesterday, and goes without it when those figures fail', async () => {
    const history = craftedHistory();
    const notices: string[] = [];
    let paymentsDown = false;
    const store = {
      conversationStats: async (query: StatsQuery) => conversationStatsOf(history.events, history.orders, query),
      async paymentTotals(query: { from: number; to: number }) {
        if (paymentsDown) throw new StoreError('payments.totals', { code: 'store_unavailable' });
        expect(query).toEqual({ from: Date.parse('2026-11-24T00:00:00Z'), to: Date.parse('2026-11-25T00:00:00Z') });
        return [{ day: '2026-11-24', paidFcfa: 94_000, payments: 2 }];
      },
    };
    const summary = createDailySummary({ store, withPayments: true, notifyOwner: async (_key, text) => void notices.push(text), logger: createLogger({ level: 'silent' }) });
    expect(await summary.send('2026-11-24')).toBe(true);
    expect(notices[0]).toContain('💳 Encaissé par mobile money : 94\u00a0000\u00a0FCFA (2 paiements)');
    paymentsDown = true;
    expect(await summary.send('2026-11-23')).toBe(true);
    expect(notices[1]).not.toContain('Encaissé');
    expect(notices[1]).toContain('Ventes');
    const cashOnly = createDailySummary({ store, notifyOwner: async (_key, text) => void notices.push(text) });
    paymentsDown = false;
    await cashOnly.send('2026-11-24');
    expect(notices[2]).not.toContain('Encaissé');
  });
});
