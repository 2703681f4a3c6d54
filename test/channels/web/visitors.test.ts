import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFileChatLog, type ChatLog } from '../../../channels/web/chat-log.js';
import { VisitorBook, type VisitorBookOptions } from '../../../channels/web/visitors.js';
import { createLogger } from '../../../src/infra/logger.js';

const DAY = 24 * 60 * 60_000;
const logger = createLogger({ level: 'silent' });

const book = (options: Partial<VisitorBookOptions> = {}) =>
  new VisitorBook({
    historyLimit: 50,
    historyMaxChars: 20_000,
    visitorTtlMs: DAY,
    maxVisitors: 100,
    maxChars: 1_000_000,
    maxStreamsPerVisitor: 4,
    maxStreams: 100,
    now: Date.now,
    ...options,
  });

const texts = async (visitors: VisitorBook, chatId: string) =>
  (await visitors.history(chatId)).events.map((event) => (event.type === 'message' ? event.text : event.caption));
const page = { event: () => undefined, typing: () => undefined, close: () => undefined };

describe('VisitorBook in memory', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2025-03-01T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a visitor idle for 24 h out of memory, not one who came back nor one with a page open', async () => {
    const visitors = book();
    await visitors.append('awa', { type: 'message', from: 'customer', text: 'Bonjour' });
    await visitors.append('kofi', { type: 'message', from: 'customer', text: 'Bonsoir' });
    await visitors.subscribe('aya', page);
    vi.advanceTimersByTime(DAY - 1000);
    await visitors.history('kofi');
    vi.advanceTimersByTime(2000);
    await visitors.sweep();

    expect(visitors.size).toBe(2);
    expect(await texts(visitors, 'kofi')).toEqual(['Bonsoir']);
    expect(await texts(visitors, 'awa')).toEqual([]); // without a chat log, gone for good
  });

  it('holds at most maxVisitors, the longest idle without a page leaving first', async () => {
    const visitors = book({ maxVisitors: 2 });
    await visitors.append('a', { type: 'message', from: 'shop', text: 'pour a' });
    vi.advanceTimersByTime(1000);
    await visitors.append('b', { type: 'message', from: 'shop', text: 'pour b' });
    vi.advanceTimersByTime(1000);
    await visitors.history('a');
    await visitors.append('c', { type: 'message', from: 'shop', text: 'pour c' });

    expect(visitors.size).toBe(2);
    expect(await texts(visitors, 'a')).toEqual(['pour a']);
  });

  it('bounds the characters in memory, all visitors together', async () => {
    const visitors = book({ maxChars: 10_000 });
    for (let n = 0; n < 50; n += 1) await visitors.append(`visiteur-${n}`, { type: 'message', from: 'customer', text: 'x'.repeat(1000) });

    expect(visitors.memoryChars).toBeLessThanOrEqual(10_000);
    expect(visitors.size).toBeLessThanOrEqual(10);
  });

  it('keeps per visitor the last historyLimit events and at most historyMaxChars, always the newest', async () => {
    const visitors = book({ historyLimit: 3, historyMaxChars: 25 });
    for (let n = 1; n <= 5; n += 1) await visitors.append('awa', { type: 'message', from: 'shop', text: `réponse ${n}` });
    expect(await texts(visitors, 'awa')).toEqual(['réponse 4', 'réponse 5']);

    await visitors.append('awa', { type: 'message', from: 'customer', text: 'y'.repeat(100) });
    expect(await texts(visitors, 'awa')).toEqual(['y'.repeat(100)]);
  });
});

describe('VisitorBook with a file chat log (DATA_DIR/web-chat/visitors)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'akwaba-chats-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const withLog = (options: { maxChats?: number; retentionMs?: number; now?: () => number } = {}): ChatLog =>
    createFileChatLog({ dir, maxChats: options.maxChats ?? 100, retentionMs: options.retentionMs ?? 30 * DAY, logger, now: options.now });

  it('shows the whole chat after a restart: the customer’s question with the answer, and knows a resent message', async () => {
    const before = book({ log: withLog() });
    const question = await before.appendCustomerMessage('awa', 'c1', 'Vous livrez à Marcory ?');
    await before.append('awa', { type: 'message', from: 'shop', text: 'Oui, 1 500 FCFA.' });
    await before.flush();

    const after = book({ log: withLog() });
    const { events, lastEventId } = await after.history('awa');
    expect(events.map((event) => (event.type === 'message' ? [event.from, event.text] : []))).toEqual([
      ['customer', 'Vous livrez à Marcory ?'],
      ['shop', 'Oui, 1 500 FCFA.'],
    ]);
    expect(events[0]?.id).toBe(question === 'duplicate' ? undefined : question.id);
    expect(await after.appendCustomerMessage('awa', 'c1', 'Vous livrez à Marcory ?')).toBe('duplicate');
    expect((await after.history('awa', events[0]?.id)).events.map((event) => event.id)).toEqual([lastEventId]);
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).mode & 0o077).toBe(0);
  });

  it('reads back from disk a visitor sent out of memory', async () => {
    const visitors = book({ log: withLog(), maxVisitors: 1 });
    await visitors.append('awa', { type: 'message', from: 'shop', text: 'pour Awa' });
    await visitors.append('kofi', { type: 'message', from: 'shop', text: 'pour Kofi' });
    expect(visitors.size).toBe(1);

    expect(await texts(visitors, 'awa')).toEqual(['pour Awa']);
  });

  it('keeps at most maxChats on disk, the least recently active deleted first, and none past the retention', async () => {
    let now = Date.parse('2025-03-01T10:00:00Z');
    const log = withLog({ maxChats: 3, retentionMs: DAY, now: () => now });
    const visitors = book({ log, now: () => now });
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      await visitors.append(name, { type: 'message', from: 'shop', text: `pour ${name}` });
      now += 1000;
      await visitors.flush();
    }
    await log.sweep();
    expect(readdirSync(dir).sort()).toEqual(['c.json', 'd.json', 'e.json']);

    now += 2 * DAY;
    await visitors.sweep();
    expect(readdirSync(dir)).toEqual([]);
  });
});
