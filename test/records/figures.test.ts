import { describe, expect, it } from 'vitest';
import { classifyFallbacks, conversationStatsOf, dayOf, latencyOf, percentile } from '../../src/records/figures.js';
import { dailySeries, dailySummaryText, formatFcfa, totalsByChannel, totalsOf } from '../../src/records/summary.js';
import type { ConversationEvent } from '../../src/store/records.js';
import { craftedHistory, EXPECTED_LATENCY, EXPECTED_ROWS, EXPECTED_TOTALS, NOW, WINDOW_MS } from './history.js';

const MIN = 60_000;

function event(partial: Partial<ConversationEvent> & Pick<ConversationEvent, 'id' | 'at' | 'direction' | 'kind'>): ConversationEvent {
  return {
    channel: 'telegram', chatId: 'A', reason: null, text: '', messageId: null, replyTo: [], modelLatencyMs: null, customerName: null,
    ...partial,
  };
}

describe('the figures of the crafted month', () => {
  const history = craftedHistory();
  const stats = conversationStatsOf(history.events, history.orders, { from: history.from, to: NOW + 1, recoveryWindowMs: WINDOW_MS, now: NOW });

  it('gives the expected rows per day and channel', () => {
    expect(stats.rows).toEqual(EXPECTED_ROWS);
  });

  it('gives the expected latency percentiles', () => {
    expect(stats.latency).toEqual(EXPECTED_LATENCY);
  });

  it('adds up to the expected 30-day totals', () => {
    const totals = totalsOf(stats.rows);
    expect(totals).toMatchObject(EXPECTED_TOTALS);
    expect(totals.fallbacksByReason).toEqual({ timeout: 4, rate_limit: 1, provider_error: 1, internal: 1 });
    expect(totals.recoveries + totals.abandons + totals.pending).toBe(totals.fallbacks);
  });

  it('splits by channel, busiest first', () => {
    expect(totalsByChannel(stats.rows).map(({ channel, totals }) => [channel, totals.conversations, totals.fallbacks, totals.recoveries])).toEqual([
      ['telegram', 4, 3, 2],
      ['whatsapp', 4, 4, 2],
      ['web', 1, 0, 0],
    ]);
  });

  it('fills every day of the period in the daily series', () => {
    const series = dailySeries(stats.rows, history.from, NOW + 1);
    expect(series.days).toHaveLength(30);
    expect(series.days[0]).toBe('2026-10-27');
    expect(series.days.at(-1)).toBe('2026-11-25');
    expect(series.conversations.slice(-3)).toEqual([1, 7, 1]);
    expect(series.fallbacks.slice(-3)).toEqual([0, 6, 1]);
    expect(series.recoveries.slice(-3)).toEqual([0, 4, 0]);
    expect(series.revenueFcfa.slice(-3)).toEqual([75_000, 45_000, 0]);
    expect(series.conversations.slice(0, -3).every((n) => n === 0)).toBe(true);
  });

  it('writes the morning summary of D in French', () => {
    const day = stats.rows.filter((row) => row.day === '2026-11-24');
    expect(dailySummaryText('Mode Ivoire', '2026-11-24', totalsOf(day))).toBe(
      [
        '📊 Mode Ivoire — bilan du mardi 24 novembre',
        '💬 Conversations : 7 (10 messages)',
        '⚠️ Réponses de secours : 6 (4 délais dépassés, 2 erreurs)',
        '✅ Récupérées : 4 (67\u00a0%) · ❌ Abandons : 2',
        '🛍️ Commandes : 1 · 💰 Ventes : 45\u00a0000\u00a0FCFA',
      ].join('\n'),
    );
  });
});

describe('recovery and abandon', () => {
  const fallback = (id: string, at: number, chatId = 'A') => event({ id, at, chatId, direction: 'out', kind: 'fallback', reason: 'timeout' });
  const reply = (id: string, at: number, kind: string, chatId = 'A') => event({ id, at, chatId, direction: 'out', kind });

  it('a real answer within the window recovers; exactly at its end still counts', () => {
    const outcomes = classifyFallbacks([fallback('f', 0), reply('a', 30 * MIN, 'late_answer')], { windowMs: 30 * MIN, now: 60 * MIN });
    expect(outcomes.get('f')).toBe('recovered');
  });

  it('an answer one millisecond after the window is an abandon', () => {
    const outcomes = classifyFallbacks([fallback('f', 0), reply('a', 30 * MIN + 1, 'answer')], { windowMs: 30 * MIN, now: 60 * MIN });
    expect(outcomes.get('f')).toBe('abandoned');
  });

  it('only real answers count: unavailable, unsupported, another fallback do not', () => {
    const events = [fallback('f', 0), reply('u', 1 * MIN, 'unavailable'), reply('s', 2 * MIN, 'unsupported'), fallback('g', 3 * MIN)];
    const outcomes = classifyFallbacks(events, { windowMs: 30 * MIN, now: 60 * MIN });
    expect([outcomes.get('f'), outcomes.get('g')]).toEqual(['abandoned', 'abandoned']);
  });

  it.each(['answer', 'late_answer', 'catalogue_answer', 'human'])('%s is a real answer', (kind) => {
    expect(classifyFallbacks([fallback('f', 0), reply('a', MIN, kind)], { windowMs: 30 * MIN, now: 60 * MIN }).get('f')).toBe('recovered');
  });

  it('an answer in another chat, or before the fallback, does not recover it', () => {
    const events = [reply('before', -1, 'answer'), fallback('f', 0), reply('elsewhere', MIN, 'answer', 'B')];
    expect(classifyFallbacks(events, { windowMs: 30 * MIN, now: 60 * MIN }).get('f')).toBe('abandoned');
  });

  it('stays pending while its window is open, then becomes an abandon', () => {
    const events = [fallback('f', 0)];
    expect(classifyFallbacks(events, { windowMs: 30 * MIN, now: 29 * MIN }).get('f')).toBe('pending');
    expect(classifyFallbacks(events, { windowMs: 30 * MIN, now: 30 * MIN }).get('f')).toBe('abandoned');
  });

  it('one answer recovers every fallback before it within the window', () => {
    const events = [fallback('f1', 0), fallback('f2', 10 * MIN), reply('a', 35 * MIN, 'late_answer')];
    const outcomes = classifyFallbacks(events, { windowMs: 30 * MIN, now: 60 * MIN });
    expect([outcomes.get('f1'), outcomes.get('f2')]).toEqual(['abandoned', 'recovered']);
  });
});

describe('conversations per day and channel', () => {
  const customer = (id: string, at: number, chatId: string, channel = 'telegram') => event({ id, at, chatId, channel, direction: 'in', kind: 'text' });
  const day = Date.parse('2026-11-24T00:00:00Z');

  it('counts a chat once a day however many messages, and again the next day', () => {
    const events = [customer('1', day + 1, 'A'), customer('2', day + 2, 'A'), customer('3', day + 86_400_000, 'A'), customer('4', day + 3, 'B')];
    const { rows } = conversationStatsOf(events, [], { from: day, to: day + 2 * 86_400_000, recoveryWindowMs: WINDOW_MS, now: day });
    expect(rows.map((r) => [r.day, r.conversations, r.messages])).toEqual([
      ['2026-11-24', 2, 3],
      ['2026-11-25', 1, 1],
    ]);
  });

  it('the same chat id on two channels is two conversations', () => {
    const events = [customer('1', day, 'A', 'telegram'), customer('2', day, 'A', 'whatsapp')];
    const { rows } = conversationStatsOf(events, [], { from: day, to: day + 86_400_000, recoveryWindowMs: WINDOW_MS, now: day });
    expect(rows.map((r) => [r.channel, r.conversations])).toEqual([
      ['telegram', 1],
      ['whatsapp', 1],
    ]);
  });

  it('replies alone make no conversation', () => {
    const { rows } = conversationStatsOf([event({ id: 'r', at: day, direction: 'out', kind: 'answer' })], [], {
      from: day, to: day + 86_400_000, recoveryWindowMs: WINDOW_MS, now: day,
    });
    expect(rows).toEqual([]);
  });

  it('days are UTC days (Abidjan)', () => {
    expect(dayOf(Date.parse('2026-11-24T23:59:59.999Z'))).toBe('2026-11-24');
    expect(dayOf(Date.parse('2026-11-25T00:00:00Z'))).toBe('2026-11-25');
  });
});

describe('percentiles', () => {
  it('are nearest-rank, like percentile_disc', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(latencyOf(values)).toEqual({ count: 100, p50: 50, p90: 90, p99: 99 });
    expect(percentile([7], 0.99)).toBe(7);
    expect(latencyOf([])).toEqual({ count: 0, p50: null, p90: null, p99: null });
  });
});

describe('French formats', () => {
  it('writes amounts the French way', () => {
    expect(formatFcfa(6_300_000)).toBe('6\u00a0300\u00a0000\u00a0FCFA');
  });

  it('says so when there was no fallback at all', () => {
    const text = dailySummaryText('Mode Ivoire', '2026-11-24', totalsOf([]));
    expect(text).toContain('Réponses de secours : 0 — aucun client n’a attendu');
    expect(text).not.toContain('Récupérées');
  });
});
