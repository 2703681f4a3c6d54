/**
 * The SQL of the records (`20261201000000_conversation_events.sql`), written once and run on
 * PGlite and on the local PostgreSQL server: the crafted month must give the figures the pure
 * functions give.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventsArg, statsArgs, toConversationStats, toRecentOrders, toTimelines, type ConversationEvent } from '../../src/store/records.js';
import { craftedHistory, EXPECTED_LATENCY, EXPECTED_ROWS, NOW, WINDOW_MS } from '../records/history.js';
import type { SqlEngine } from './engines.js';
import { placeOrder } from './orders-sql.js';

const STATS_SQL = 'SELECT public.conversation_stats($1, $2, $3, $4) AS s';

async function sqlError(work: Promise<unknown>): Promise<{ code?: string; message?: string }> {
  return work.then(
    () => {
      throw new Error('expected an error');
    },
    (error: unknown) => error as { code?: string; message?: string },
  );
}

/** Loads the crafted month into `db` (events and orders with their dates and statuses). */
export async function loadCraftedHistory(db: SqlEngine): Promise<ReturnType<typeof craftedHistory>> {
  const history = craftedHistory();
  const [inserted] = await db.query<{ n: number }>('SELECT public.record_conversation_events($1::jsonb) AS n', [
    JSON.stringify(eventsArg(history.events)),
  ]);
  expect(inserted!.n).toBe(history.events.length);
  for (const order of history.orders) {
    const placed = await placeOrder(db, {
      channel: order.channel,
      chatId: order.chatId,
      name: order.name,
      lines: [{ product_id: order.product, size: 'M', quantity: 1 }],
    });
    expect(placed.subtotal_fcfa).toBe(order.subtotalFcfa);
    await db.query('UPDATE public.orders SET created_at = $1, status = $2 WHERE id = $3', [
      new Date(order.createdAt).toISOString(),
      order.status,
      placed.order_id,
    ]);
  }
  return history;
}

export function describeRecordsSql(name: string, engine: () => SqlEngine): void {
  describe(`conversation records on ${name}`, () => {
    let history: ReturnType<typeof craftedHistory>;
    beforeAll(async () => {
      history = await loadCraftedHistory(engine());
    });

    async function stats(query: { from: number; to: number; now: number }) {
      const args = statsArgs({ ...query, recoveryWindowMs: WINDOW_MS });
      const [row] = await engine().query<{ s: unknown }>(STATS_SQL, [args.p_from, args.p_to, args.p_recovery_window_seconds, args.p_now]);
      return toConversationStats('test', row!.s);
    }

    it('computes the crafted month exactly as the pure functions define it', async () => {
      const result = await stats({ from: history.from, to: NOW + 1, now: NOW });
      expect(result.rows).toEqual(EXPECTED_ROWS);
      expect(result.latency).toEqual(EXPECTED_LATENCY);
    });

    it('counts yesterday alone for the daily summary, recovering over midnight', async () => {
      const day = Date.parse('2026-11-24T00:00:00Z');
      const result = await stats({ from: day, to: day + 86_400_000, now: NOW });
      expect(result.rows).toEqual(EXPECTED_ROWS.filter((row) => row.day === '2026-11-24'));
      expect(result.latency.count).toBe(3);
    });

    it('turns a pending fallback into an abandon once its window is over', async () => {
      const later = NOW + 30 * 60_000;
      const result = await stats({ from: history.from, to: NOW + 1, now: later });
      const today = result.rows.find((row) => row.day === '2026-11-25')!;
      expect([today.pending, today.abandons]).toEqual([0, 1]);
    });

    it('records a retried batch once', async () => {
      const again = history.events.slice(0, 3);
      const [row] = await engine().query<{ n: number }>('SELECT public.record_conversation_events($1::jsonb) AS n', [JSON.stringify(eventsArg(again))]);
      expect(row!.n).toBe(0);
    });

    it('rewrites a voice note with its transcript: still one message; replies and identical copies untouched', async () => {
      // Long before the crafted month: the other figures do not see this chat.
      const at = Date.parse('2026-01-05T10:00:00Z');
      const voice: ConversationEvent = {
        id: randomUUID(), at, channel: 'telegram', chatId: 'V1', direction: 'in', kind: 'voice', reason: null,
        text: '🎤 0:07', messageId: '7', replyTo: [], modelLatencyMs: null, customerName: 'Aya',
      };
      const reply: ConversationEvent = { ...voice, id: randomUUID(), at: at + 5000, direction: 'out', kind: 'answer', text: 'Oui, 2 000 FCFA.', messageId: null, replyTo: ['7'] };
      const record = async (events: ConversationEvent[]) =>
        (await engine().query<{ n: number }>('SELECT public.record_conversation_events($1::jsonb) AS n', [JSON.stringify(eventsArg(events))]))[0]!.n;
      const heard = { ...voice, text: '🎤 0:07 — « Vous livrez à Yopougon ? »' };
      expect(await record([voice, reply])).toBe(2);
      expect(await record([heard, { ...reply, text: 'changed' }])).toBe(1);
      expect(await record([heard])).toBe(0);
      expect(await record([{ ...voice, text: 'first copy' }, { ...heard, text: '🎤 0:07 — « Vous livrez à Marcory ? »' }])).toBe(1);
      const rows = await engine().query<{ direction: string; text: string }>(
        "SELECT direction, text FROM public.conversation_events WHERE chat_id = 'V1' ORDER BY at",
      );
      expect(rows).toEqual([
        { direction: 'in', text: '🎤 0:07 — « Vous livrez à Marcory ? »' },
        { direction: 'out', text: 'Oui, 2 000 FCFA.' },
      ]);
    });

    it('refuses a batch that is not a list, or too big', async () => {
      expect(await sqlError(engine().query('SELECT public.record_conversation_events($1::jsonb)', ['{}']))).toMatchObject({ code: 'P0001', message: 'invalid_request' });
      const many = JSON.stringify(Array.from({ length: 1001 }, () => ({})));
      expect(await sqlError(engine().query('SELECT public.record_conversation_events($1::jsonb)', [many]))).toMatchObject({ message: 'invalid_request' });
    });

    it('lists the recent orders newest first, with their channel', async () => {
      const [row] = await engine().query<{ o: unknown }>('SELECT public.recent_orders(10) AS o');
      const orders = toRecentOrders('test', row!.o);
      expect(orders.slice(0, 3).map((o) => [o.channel, o.chatId, o.status, o.subtotalFcfa])).toEqual([
        ['whatsapp', 'W2', 'cancelled', 25_000],
        ['telegram', 'T1', 'pending', 45_000],
        ['web', 'X1', 'delivered', 75_000],
      ]);
    });

    it('lists the recent conversations with their timeline, oldest event first', async () => {
      const [row] = await engine().query<{ c: unknown }>('SELECT public.recent_conversations($1, 10, 4) AS c', [new Date(history.from).toISOString()]);
      const chats = toTimelines('test', row!.c);
      expect(chats.map((c) => `${c.channel}:${c.chatId}`)).toEqual([
        'whatsapp:W3', 'telegram:T3', 'whatsapp:W4', 'whatsapp:W2', 'whatsapp:W1', 'telegram:T2', 'telegram:T1', 'web:X1', 'telegram:Y',
      ]);
      expect(chats[0]!.customerName).toBe('Bintou <b>');
      const t1 = chats.find((c) => c.chatId === 'T1')!;
      expect(t1.customerName).toBe('Awa Koné');
      expect(t1.events.map((e) => [e.direction, e.kind])).toEqual([
        ['in', 'text'],
        ['out', 'late_answer'],
        ['in', 'text'],
        ['out', 'answer'],
      ]);
      expect(t1.events.at(-1)!.modelLatencyMs).toBe(3000);
    });

    it('keeps the table and the functions closed to anon and authenticated', async () => {
      for (const role of ['anon', 'authenticated']) {
        expect(await sqlError(engine().queryAs(role, 'SELECT * FROM public.conversation_events LIMIT 1'))).toMatchObject({ code: '42501' });
        expect(await sqlError(engine().queryAs(role, 'SELECT public.recent_orders(1)'))).toMatchObject({ code: '42501' });
        expect(await sqlError(engine().queryAs(role, "SELECT public.record_conversation_events('[]')"))).toMatchObject({ code: '42501' });
        expect(await sqlError(engine().queryAs(role, 'SELECT public.conversation_stats(now(), now(), 1, now())'))).toMatchObject({ code: '42501' });
        expect(await sqlError(engine().queryAs(role, 'SELECT public.recent_conversations(now(), 1, 1)'))).toMatchObject({ code: '42501' });
      }
      const [row] = await engine().queryAs<{ n: number }>('service_role', 'SELECT count(*)::int AS n FROM public.conversation_events');
      expect(row!.n).toBeGreaterThan(0);
    });
  });
}
