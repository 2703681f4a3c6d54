import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalError, openJournal, type JournalOptions } from '../../src/durable/journal.js';
import type { InboundJournal } from '../../src/core/journal.js';
import type { IncomingMessage } from '../../src/core/message.js';

const HOUR = 60 * 60 * 1000;
/** Times in these tests are recent, or compaction would rightly forget what they answer. */
const T = Date.now();

function message(chatId: string, messageId: string, text = 'Bonjour', receivedAt = T): IncomingMessage {
  return {
    channel: 'telegram',
    chatId,
    messageId,
    kind: 'text',
    text,
    from: { id: chatId, name: 'Awa' },
    receivedAt,
    raw: { update_id: Number(messageId), message: { text } },
  };
}

const ref = (m: IncomingMessage) => ({ channel: m.channel, chatId: m.chatId, messageId: m.messageId });

describe('inbound journal', () => {
  let dir: string;
  const open: InboundJournal[] = [];
  const reopen = async (options: JournalOptions = {}) => {
    const journal = await openJournal(dir, options);
    open.push(journal);
    return journal;
  };
  const segments = () => readdirSync(dir).filter((name) => name.endsWith('.log'));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'akwaba-journal-'));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((journal) => journal.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a message durably, says so once, and knows it again after a restart', async () => {
    const journal = await reopen();
    const m = message('1001', '7', 'Vous livrez à Marcory ?');
    expect(await journal.record(m)).toBe('new');
    expect(await journal.record({ ...m, receivedAt: 2_000_000 })).toBe('duplicate');
    expect(readFileSync(join(dir, segments()[0]!), 'utf8')).toContain('Vous livrez à Marcory ?');

    const again = await reopen();
    expect(again.has(ref(m))).toBe(true);
    expect(await again.record(m)).toBe('duplicate');
    expect(again.unanswered()).toEqual([{ message: m }]);
  });

  it('keeps what was sent: a fallback leaves a message unanswered, a real answer closes it', async () => {
    const journal = await reopen();
    const [a, b, c] = [message('1', '1', 'a', T + 10), message('1', '2', 'b', T + 20), message('2', '3', 'c', T + 30)];
    for (const m of [a, b, c]) await journal.record(m);
    await journal.markFallback([ref(a), ref(b)], T + 500);
    await journal.markAnswered([ref(a)], T + 900, 'late_answer');

    const again = await reopen();
    expect(again.unanswered()).toEqual([{ message: b, fallbackAt: T + 500 }, { message: c }]);
    expect(again.has(ref(a))).toBe(true);
  });

  it('lists the unanswered oldest first', async () => {
    const journal = await reopen();
    await journal.record(message('1', '2', 'second', T + 200));
    await journal.record(message('2', '1', 'first', T + 100));
    expect((await reopen()).unanswered().map((entry) => entry.message.text)).toEqual(['first', 'second']);
  });

  it('compacts at start: answered messages older than a day are forgotten, the rest is kept in one segment', async () => {
    let now = 50 * HOUR;
    const journal = await reopen({ now: () => now });
    const old = message('1', '1', 'vieux', now - 30 * HOUR);
    const recent = message('1', '2', 'récent', now - HOUR);
    const open = message('2', '3', 'ouvert', now - 40 * HOUR);
    for (const m of [old, recent, open]) await journal.record(m);
    await journal.markAnswered([ref(old)], now - 29 * HOUR, 'answer');
    await journal.markAnswered([ref(recent)], now - HOUR, 'answer');
    await journal.close();

    now += HOUR;
    const again = await reopen({ now: () => now });
    expect(again.has(ref(old))).toBe(false);
    expect(again.has(ref(recent))).toBe(true);
    expect(again.unanswered().map((entry) => entry.message.text)).toEqual(['ouvert']);
    expect(segments()).toHaveLength(1);
  });

  it('compacts itself after many records, and nothing is lost across it', async () => {
    const journal = await reopen({ compactEveryRecords: 10 });
    const messages = Array.from({ length: 35 }, (_, i) => message(String(i % 5), String(i), `m${i}`, T + i));
    for (const m of messages.slice(0, 20)) await journal.record(m);
    await journal.markAnswered(messages.slice(0, 20).map(ref), T + 100, 'answer');
    await Promise.all(messages.slice(20).map((m) => journal.record(m)));
    await journal.flush();
    expect(segments()).toHaveLength(1);

    const again = await reopen();
    expect(messages.every((m) => again.has(ref(m)))).toBe(true);
    expect(again.unanswered().map((entry) => entry.message.text)).toEqual(messages.slice(20).map((m) => m.text));
  });

  it('tolerates a torn last line (a crash in the middle of a write) and keeps writing after it', async () => {
    const journal = await reopen();
    const kept = message('1', '1', 'gardé');
    await journal.record(kept);
    await journal.close();
    appendFileSync(join(dir, segments()[0]!), '{"op":"in","id":"telegram\\u00001\\u00002","m":{"channel":"tele');

    const again = await reopen();
    expect(again.unanswered().map((entry) => entry.message.text)).toEqual(['gardé']);
    const next = message('1', '3', 'après');
    expect(await again.record(next)).toBe('new');
    await again.close();
    expect((await reopen()).unanswered().map((entry) => entry.message.text)).toEqual(['gardé', 'après']);
  });

  it('shares one fsync among writes that arrive together', async () => {
    const journal = await reopen();
    const messages = Array.from({ length: 200 }, (_, i) => message(String(i), '1', `m${i}`, T + i));
    expect(new Set(await Promise.all(messages.map((m) => journal.record(m))))).toEqual(new Set(['new']));
    expect((await reopen()).unanswered()).toHaveLength(200);
  });

  it('keeps the platform payload only when it is plain and small', async () => {
    const journal = await reopen({ maxRawBytes: 100 });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await journal.record({ ...message('1', '1'), raw: circular });
    await journal.record({ ...message('1', '2'), raw: { big: 'x'.repeat(500) } });
    await journal.record({ ...message('1', '3'), raw: { small: true } });
    expect((await reopen()).unanswered().map((entry) => entry.message.raw)).toEqual([null, null, { small: true }]);
  });

  it('refuses writes once closed, with an error that says what failed', async () => {
    const journal = await reopen();
    await journal.close();
    const error = await journal.record(message('1', '1')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JournalError);
    expect(error).toMatchObject({ code: 'journal_write_failed' });
  });
});
