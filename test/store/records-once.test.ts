/**
 * A customer message is counted once on the dashboard, whatever records it twice: the
 * journal's recovery after a kill -9 hands the message to the engine again, and the recorder
 * writes it again under a new event id. Run on PGlite and on the local PostgreSQL server, as
 * Supabase runs the same migrations.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsArg, toConversationStats, type ConversationEvent } from '../../src/store/records.js';
import { loadMigrations } from '../../src/store/sql.js';
import { openPglite, openPostgres, type SqlEngine } from './engines.js';

const ONCE_MIGRATION = '20261220000000_conversation_events_once.sql';
const AT = Date.parse('2026-11-20T10:00:00Z');

function customerMessage(messageId: string, overrides: Partial<ConversationEvent> = {}): ConversationEvent {
  return {
    id: randomUUID(),
    at: AT,
    channel: 'telegram',
    chatId: '4242',
    direction: 'in',
    kind: 'text',
    reason: null,
    text: 'Vous livrez à Marcory ?',
    messageId,
    replyTo: [],
    modelLatencyMs: null,
    customerName: 'Awa',
    ...overrides,
  };
}

async function record(db: SqlEngine, events: ConversationEvent[]): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT public.record_conversation_events($1::jsonb) AS n', [JSON.stringify(eventsArg(events))]);
  return row!.n;
}

async function messagesThatDay(db: SqlEngine): Promise<number> {
  const [row] = await db.query<{ s: unknown }>('SELECT public.conversation_stats($1, $2, $3, $4) AS s', [
    new Date(AT - 3_600_000).toISOString(),
    new Date(AT + 3_600_000).toISOString(),
    1800,
    new Date(AT + 3_600_000).toISOString(),
  ]);
  return toConversationStats('test', row!.s).rows.reduce((sum, day) => sum + day.messages, 0);
}

async function migrate(db: SqlEngine, filter: (name: string) => boolean): Promise<void> {
  for (const file of await loadMigrations()) if (filter(file.name)) await db.exec(file.sql);
}

describe.each([
  ['PGlite', () => openPglite({ migrate: false })],
  ['PostgreSQL', () => openPostgres({ migrate: false })],
])('recording a customer message once on %s', (_name, open) => {
  let db: SqlEngine | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('counts a message recorded again after a crash (same channel, chat and message id, a new event id) once', async () => {
    db = await open();
    await migrate(db, () => true);

    expect(await record(db, [customerMessage('77')])).toBe(1);
    expect(await record(db, [customerMessage('77')])).toBe(0);
    // Both copies in one batch (the first write had not gone out when the process died).
    expect(await record(db, [customerMessage('78'), customerMessage('78')])).toBe(1);
    expect(await messagesThatDay(db)).toBe(2);
    // The same message id in another chat or on another channel is another message.
    expect(await record(db, [customerMessage('77', { chatId: '4343' }), customerMessage('77', { channel: 'whatsapp' })])).toBe(2);
    // Replies carry no message id and are never merged.
    const reply = (): ConversationEvent => customerMessage('', { direction: 'out', kind: 'answer', messageId: null, replyTo: ['77'] });
    expect(await record(db, [reply(), reply()])).toBe(2);
  });

  it('a voice note recovered after a crash gets its transcript on the one row (the later text wins)', async () => {
    db = await open();
    await migrate(db, () => true);
    const heard = (id: string, text: string) => customerMessage('80', { id, kind: 'voice', text });
    const [first, again] = [randomUUID(), randomUUID()];
    expect(await record(db, [heard(first, '🎤 0:07')])).toBe(1);
    // The journal hands the note over again after the kill: a new event id, then its transcript under it.
    expect(await record(db, [heard(again, '🎤 0:07')])).toBe(0);
    expect(await record(db, [heard(again, '🎤 0:07 — « vous livrez à Marcory ? »')])).toBe(1);
    expect(await messagesThatDay(db)).toBe(1);
    const rows = await db.query<{ id: string; text: string }>("SELECT id::text, text FROM public.conversation_events WHERE message_id = '80'");
    expect(rows).toEqual([{ id: first, text: '🎤 0:07 — « vous livrez à Marcory ? »' }]);
  });

  it('the migration removes the duplicates recorded before it, keeping the first', async () => {
    db = await open();
    await migrate(db, (name) => name < ONCE_MIGRATION);
    const first = customerMessage('91');
    await record(db, [first]);
    await record(db, [customerMessage('91'), customerMessage('91'), customerMessage('92')]);
    expect(await messagesThatDay(db)).toBe(4);

    await migrate(db, (name) => name === ONCE_MIGRATION);

    expect(await messagesThatDay(db)).toBe(2);
    const kept = await db.query<{ id: string }>("SELECT id::text FROM public.conversation_events WHERE message_id = '91'");
    expect(kept.map((row) => row.id)).toEqual([first.id]);
  });
});
