import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type pg from 'pg';
import PgBoss from 'pg-boss';
import { createJobQueue, QUEUE_OPTIONS } from '../../src/cluster/job-queue.js';
import { createChatOwners } from '../../src/cluster/chats.js';
import { createPool, migrate } from '../../src/cluster/database.js';
import { createClusterHistory } from '../../src/cluster/history.js';
import { joinCluster, type ChatKey, type Instance } from '../../src/cluster/instance.js';
import { createClusterJournal } from '../../src/cluster/journal.js';
import { openClusterBlocklist, type ClusterBlocklist } from '../../src/cluster/blocklist.js';
import { createClusterCheckoutStore, createRecords, loadHandoffState, type ClusterHandoffState } from '../../src/cluster/records.js';
import type { CheckoutState } from '../../src/shop/checkout/state.js';
import type { HandedOffChat } from '../../src/handoff/state-file.js';
import type { IncomingMessage } from '../../src/core/message.js';
import { createLogger } from '../../src/infra/logger.js';
import { openPostgres, PG_ADMIN } from '../store/engines.js';

const logger = createLogger({ level: 'silent' });

function message(chatId: string, messageId: string, receivedAt = Date.now()): IncomingMessage {
  return { channel: 'telegram', chatId, messageId, text: `texte ${messageId}`, kind: 'text', from: { id: chatId }, receivedAt, raw: { big: 'x'.repeat(10) } };
}

/** The shared mode's Postgres adapters on a real server, one throw-away database. */
describe('shared mode adapters on Postgres', () => {
  let db: Awaited<ReturnType<typeof openPostgres>>;
  let pool: pg.Pool;
  let databaseUrl: string;
  const joined: Instance[] = [];
  const join = async (onTake: (chat: ChatKey) => void = () => undefined, onChanged?: (kind: string) => void) => {
    const instance = await joinCluster({ databaseUrl, pool, logger, onTake, onLost: () => undefined, ...(onChanged && { onChanged }) });
    joined.push(instance);
    return instance;
  };
  /** An instance row whose process is gone: nobody holds its lock. */
  const deadInstance = async () => Number((await db.query<{ id: string }>("INSERT INTO cluster.instances (name) VALUES ('gone') RETURNING id"))[0]!.id);

  beforeAll(async () => {
    db = await openPostgres({ migrate: false });
    databaseUrl = `postgresql://${PG_ADMIN.user}@${PG_ADMIN.host}:${PG_ADMIN.port}/${db.database}`;
    pool = createPool(databaseUrl);
    await migrate(pool);
  }, 30_000);

  afterAll(async () => {
    for (const instance of joined) await instance.close();
    await pool?.end();
    await db?.close();
  });

  it('migrates once: the same files as every store, then nothing more to do', async () => {
    expect(await migrate(pool)).toEqual([]);
    const [{ products }] = await db.query<{ products: string }>('SELECT count(*) AS products FROM public.products');
    expect(Number(products)).toBeGreaterThan(0);
  });

  it('journals a message once across instances', async () => {
    const routed: ChatKey[] = [];
    const journal = createClusterJournal(pool, { route: async (chat) => void routed.push(chat) });
    const other = createClusterJournal(pool, { route: async (chat) => void routed.push(chat) });
    const first = message('j-1', '10');
    expect(await journal.record(first)).toBe('elsewhere');
    expect(await other.record({ ...first, receivedAt: first.receivedAt + 5 })).toBe('duplicate');
    // Routed for each copy (the holder takes the message once).
    await vi.waitFor(() => expect(routed).toEqual([{ channel: 'telegram', chatId: 'j-1' }, { channel: 'telegram', chatId: 'j-1' }]), { timeout: 1000, interval: 5 });
    expect(journal.has(first)).toBe(true);

    await journal.markFallback([first], 1000);
    await journal.markFallback([first], 2000);
    await journal.markAnswered([first], 3000, 'late_answer');
    const [row] = await db.query<Record<string, unknown>>("SELECT message, fallback_at, answered_at, answered_how FROM cluster.journal WHERE chat_id = 'j-1'");
    expect(row).toEqual({ message: null, fallback_at: '1000', answered_at: '3000', answered_how: 'late_answer' });
    expect(journal.unanswered()).toEqual([]);
  });

  it('forgets answered messages past the redelivery window when compacted', async () => {
    const journal = createClusterJournal(pool, { route: async () => undefined, keepAnsweredMs: 1000, now: () => 10_000 });
    await journal.record(message('c-1', '1'));
    await journal.record(message('c-1', '2'));
    await journal.markAnswered([{ channel: 'telegram', chatId: 'c-1', messageId: '1' }], 8000, 'answer');
    await journal.compact();
    const rows = await db.query<{ message_id: string }>("SELECT message_id FROM cluster.journal WHERE chat_id = 'c-1'");
    expect(rows).toEqual([{ message_id: '2' }]);
  });

  it('gives a chat to one live instance, the same whoever asks, and to another only once it is gone', async () => {
    const a = await join();
    const b = await join();
    const owners = new Map([a, b].map((instance) => [instance.id, { instance, chats: createChatOwners(pool, instance.id) }]));
    const chat = { channel: 'telegram', chatId: 'o-1' };
    const first = await owners.get(b.id)!.chats.claim(chat);
    expect(first.takenOver).toBe(false);
    expect([a.id, b.id]).toContain(first.owner);
    expect(await owners.get(a.id)!.chats.claim(chat)).toEqual(first);
    expect(await owners.get(b.id)!.chats.claim(chat)).toEqual(first);
    const survivor = first.owner === a.id ? b : a;
    await owners.get(first.owner)!.instance.close();
    expect(await owners.get(survivor.id)!.chats.claim(chat)).toEqual({ owner: survivor.id, takenOver: true });
    expect(await owners.get(survivor.id)!.chats.claim(chat)).toEqual({ owner: survivor.id, takenOver: false });
  });

  it('gives no new chat to an instance that is leaving, but lets it keep its own', async () => {
    const a = await join();
    const b = await join();
    const chatsA = createChatOwners(pool, a.id);
    const chatsB = createChatOwners(pool, b.id);
    const kept = await chatsA.claim({ channel: 'telegram', chatId: 'l-0' });
    await chatsA.leave();
    for (let n = 1; n <= 12; n++) expect((await chatsA.claim({ channel: 'telegram', chatId: `l-${n}` })).owner).not.toBe(a.id);
    expect(await chatsB.claim({ channel: 'telegram', chatId: 'l-0' })).toEqual(kept);
    // A web chat is routed like the others: its replies reach the visitor's page wherever it is (akwaba_web).
    expect(await chatsA.claim({ channel: 'web', chatId: 'visitor-1' })).toEqual({ owner: b.id, takenOver: false });
  });

  it("sweeps up a dead instance's chats that still owe answers, each by one instance, oldest message first", async () => {
    const a = await join();
    const dead = await deadInstance();
    const journal = createClusterJournal(pool, { route: async () => undefined });
    await journal.record(message('s-1', '2', 2000));
    await journal.record(message('s-1', '1', 1000));
    await journal.markFallback([{ channel: 'telegram', chatId: 's-1', messageId: '1' }], 2500);
    await journal.record(message('s-2', '1'));
    await journal.markAnswered([{ channel: 'telegram', chatId: 's-2', messageId: '1' }], Date.now(), 'answer');
    await db.query("INSERT INTO cluster.chats (channel, chat_id, instance_id) VALUES ('telegram', 's-1', $1), ('telegram', 's-2', $1)", [dead]);

    const owners = createChatOwners(pool, a.id);
    const rival = createChatOwners(pool, (await join()).id);
    // Other tests' open messages may be swept as orphans meanwhile: only this test's chats count.
    const ours = (chats: ChatKey[]) => chats.filter((chat) => chat.chatId.startsWith('s-'));
    const [mine, theirs] = (await Promise.all([owners.sweep(), rival.sweep()])).map(ours);
    // s-2 owes nothing: it stays where it is until its next message.
    expect([...mine!, ...theirs!]).toEqual([{ channel: 'telegram', chatId: 's-1' }]);
    const taker = mine!.length > 0 ? owners : rival;
    expect(ours(await taker.sweep())).toEqual([]);
    const open = await taker.open([{ channel: 'telegram', chatId: 's-1' }]);
    expect(open.map((entry) => [entry.message.messageId, entry.fallbackAt])).toEqual([
      ['1', 2500],
      ['2', undefined],
    ]);
    expect(open[0]!.message.raw).toEqual({ big: 'x'.repeat(10) });
    expect((await taker.mine()).filter((entry) => entry.message.chatId === 's-1').map((entry) => entry.message.messageId)).toEqual(['1', '2']);
  });

  it('claims a chat whose receiver died between the journal write and the claim, once it has waited a moment', async () => {
    const a = await join();
    const journal = createClusterJournal(pool, { route: async () => undefined });
    await journal.record(message('orphan-1', '1', Date.now() - 5000));
    await journal.record(message('orphan-2', '1', Date.now()));
    const swept = await createChatOwners(pool, a.id).sweep();
    expect(swept).toContainEqual({ channel: 'telegram', chatId: 'orphan-1' });
    expect(swept).not.toContainEqual({ channel: 'telegram', chatId: 'orphan-2' });
  });

  it('routes a redelivered message again: the first receiver may have died before routing it', async () => {
    const routed: ChatKey[] = [];
    const journal = createClusterJournal(pool, { route: async (chat) => void routed.push(chat) });
    const first = message('r-1', '1');
    expect(await journal.record(first)).toBe('elsewhere');
    expect(await journal.record(first)).toBe('duplicate');
    await vi.waitFor(() => expect(routed).toHaveLength(2), { timeout: 1000, interval: 5 });
  });

  it('lets one instance alone poll Telegram, and the next once it is gone', async () => {
    const a = await join();
    const b = await join();
    expect(await a.tryLockAlone(1)).toBe(true);
    expect(await b.tryLockAlone(1)).toBe(false);
    expect(await b.tryLockAlone(2)).toBe(true);
    await a.close();
    expect(await b.tryLockAlone(1)).toBe(true);
  });

  it("tells the owner of a chat to take it, and nobody else", async () => {
    const heard: Array<[string, ChatKey]> = [];
    const a = await join((chat) => heard.push(['a', chat]));
    await join((chat) => heard.push(['b', chat]));
    await a.notify(a.id, { channel: 'web', chatId: 'v-1' });
    await vi.waitFor(() => expect(heard).toEqual([['a', { channel: 'web', chatId: 'v-1' }]]), { timeout: 2000, interval: 10 });
  });

  it('keeps checkouts under way for the next instance', async () => {
    const records = createRecords(pool);
    const checkouts = createClusterCheckoutStore(records);
    const state = { version: 1, key: 'telegram:k-1', channel: 'telegram', chatId: 'k-1', step: 'size', items: [] } as unknown as CheckoutState;
    await checkouts.save(state);
    await checkouts.save({ ...state, step: 'name' } as CheckoutState);
    expect(await createClusterCheckoutStore(createRecords(pool)).load('telegram:k-1')).toMatchObject({ step: 'name' });
    expect(await checkouts.list()).toHaveLength(1);
    await checkouts.remove('telegram:k-1');
    expect(await checkouts.load('telegram:k-1')).toBeUndefined();
  });

  it('shares the handed-off chats: two instances changing two chats keep both, and each hears of the other', async () => {
    const states: ClusterHandoffState[] = [];
    const open = async () => {
      const instance = await join(undefined, (kind) => void (kind === 'handoffs' && Promise.all(states.map((state) => state.reload()))));
      const state = await loadHandoffState(createRecords(pool), { changed: () => instance.changed('handoffs'), logger });
      const seen: string[][] = [];
      state.watch!((chats) => seen.push(chats.map((chat) => chat.chatId).sort()));
      states.push(state);
      return { state, seen };
    };
    const chat = (chatId: string) => ({ channel: 'telegram', chatId, customerName: null, reason: 'asked', since: 1, ownerActiveAt: 1, unread: 0, recent: [] }) as unknown as HandedOffChat;
    const [here, there] = [await open(), await open()];
    expect(here.state.load()).toEqual([]);
    await here.state.save([chat('h-1')]);
    // As the handoff module saves: its whole view (with h-1 once it heard of it) plus its change.
    await there.state.save([...there.state.load(), chat('h-2')]);
    await vi.waitFor(() => expect(here.seen.at(-1)).toEqual(['h-1', 'h-2']), { timeout: 2000, interval: 10 });
    await vi.waitFor(() => expect(there.seen.at(-1)).toEqual(['h-1', 'h-2']), { timeout: 2000, interval: 10 });
    await there.state.save([chat('h-1')]);
    await vi.waitFor(() => expect(here.seen.at(-1)).toEqual(['h-1']), { timeout: 2000, interval: 10 });
    expect((await loadHandoffState(createRecords(pool), { changed: async () => undefined, logger })).load().map((c) => c.chatId)).toEqual(['h-1']);
  });

  it('blocks a customer on every instance at once, and lets them back the same way', async () => {
    const lists: ClusterBlocklist[] = [];
    const open = async () => {
      const instance = await join(undefined, (kind) => void (kind === 'blocklist' && Promise.all(lists.map((list) => list.reload()))));
      const list = await openClusterBlocklist(createRecords(pool), { changed: () => instance.changed('blocklist'), logger });
      lists.push(list);
      return list;
    };
    const [here, there] = [await open(), await open()];
    await here.block('whatsapp', '2250700000001', { note: ' insultes ' });
    expect(here.isBlocked('whatsapp', '2250700000001')).toBe(true);
    await vi.waitFor(() => expect(there.isBlocked('whatsapp', '2250700000001')).toBe(true), { timeout: 2000, interval: 10 });
    expect(there.list()).toEqual([{ channel: 'whatsapp', chatId: '2250700000001', since: expect.any(String), note: 'insultes' }]);
    expect(await there.unblock('whatsapp', '2250700000001')).toBe(true);
    await vi.waitFor(() => expect(here.isBlocked('whatsapp', '2250700000001')).toBe(false), { timeout: 2000, interval: 10 });
    expect(await here.unblock('whatsapp', '2250700000001')).toBe(false);
    await expect(here.block('whatsapp', ' ')).rejects.toMatchObject({ code: 'invalid_customer' });
  });

  it('remembers a conversation for whichever instance holds it next', async () => {
    const history = createClusterHistory(pool);
    expect(await history.load('telegram:h-1')).toEqual([]);
    await history.save('telegram:h-1', [{ role: 'user', content: 'Bonjour', at: 1 }]);
    await history.save('telegram:h-1', [{ role: 'user', content: 'Bonjour', at: 1 }, { role: 'assistant', content: 'Akwaba !', at: 2 }]);
    expect(await createClusterHistory(pool).load('telegram:h-1')).toEqual([
      { role: 'user', content: 'Bonjour', at: 1 },
      { role: 'assistant', content: 'Akwaba !', at: 2 },
    ]);
  });
});

describe('the order and delivery queues on pg-boss', () => {
  let db: Awaited<ReturnType<typeof openPostgres>>;
  let boss: PgBoss;

  beforeAll(async () => {
    db = await openPostgres({ migrate: false });
    boss = new PgBoss({ connectionString: `postgresql://${PG_ADMIN.user}@${PG_ADMIN.host}:${PG_ADMIN.port}/${db.database}`, max: 2, schedule: false, supervise: false });
    // DROP DATABASE … WITH (FORCE) at the end ends its idle connections (57P01): expected, not a failure.
    boss.on('error', () => undefined);
    await boss.start();
    await boss.createQueue('akwaba-test', { name: 'akwaba-test', ...QUEUE_OPTIONS });
  }, 30_000);

  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true });
    await db?.close();
  });

  it("keeps a new item for its putter's own try: the others do not see it, and it is gone once done", async () => {
    const mine = createJobQueue<{ n: number }>(boss, 'akwaba-test');
    const theirs = createJobQueue<{ n: number }>(boss, 'akwaba-test');
    await mine.put('k-1', { n: 1 });
    await mine.put('k-1', { n: 1 });
    expect(await theirs.list()).toEqual([]);
    await mine.remove('k-1');
    expect(await boss.getQueueSize('akwaba-test')).toBe(0);
  });

  it('gives a waiting item to one instance, which retries it later or completes it', async () => {
    await boss.send('akwaba-test', { key: 'k-2', enqueuedAt: 5, attempts: 0, item: { n: 2 } }, { singletonKey: 'k-2' });
    const a = createJobQueue<{ n: number }>(boss, 'akwaba-test');
    const b = createJobQueue<{ n: number }>(boss, 'akwaba-test');
    const [first, second] = await Promise.all([a.list(), b.list()]);
    const holder = first.length > 0 ? a : b;
    expect([...first, ...second]).toEqual([{ key: 'k-2', enqueuedAt: 5, attempts: 0, item: { n: 2 } }]);
    // Held items come back to their holder at each pass until they are done.
    expect(await holder.list()).toHaveLength(1);
    await holder.put('k-2', { n: 2 }, 1);
    expect(await holder.list()).toEqual([]);
    const [retry] = await db.query<{ data: { attempts: number; enqueuedAt: number } }>("SELECT data FROM pgboss.job WHERE name = 'akwaba-test' AND state = 'created'");
    expect(retry!.data).toMatchObject({ attempts: 1, enqueuedAt: 5 });
  });
});
