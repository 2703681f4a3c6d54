import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type pg from 'pg';
import { createPool, migrate } from '../../src/cluster/database.js';
import { joinCluster, type Instance } from '../../src/cluster/instance.js';
import { createRecords } from '../../src/cluster/records.js';
import { createClusterChatHub, createClusterChatLog, sharedVisitorSecret, type WebChatSignal } from '../../src/cluster/web-chat.js';
import { createLogger } from '../../src/infra/logger.js';
import { openPostgres, PG_ADMIN } from '../store/engines.js';

const logger = createLogger({ level: 'silent' });
const event = (id: string, text: string, at = Date.now()) => ({ id, at, type: 'message', from: 'shop', text });

/** The web chat's shared pieces on a real Postgres: visitor secret, chat log, hub. */
describe('the web chat in Postgres', () => {
  let db: Awaited<ReturnType<typeof openPostgres>>;
  let pool: pg.Pool;
  let databaseUrl: string;
  const joined: Instance[] = [];

  beforeAll(async () => {
    db = await openPostgres({ migrate: false });
    databaseUrl = `postgresql://${PG_ADMIN.user}@${PG_ADMIN.host}:${PG_ADMIN.port}/${db.database}`;
    pool = createPool(databaseUrl);
    await migrate(pool, { seed: false });
  }, 30_000);

  afterAll(async () => {
    for (const instance of joined) await instance.close();
    await pool?.end();
    await db?.close();
  });

  it('gives every instance the secret the first one made', async () => {
    const [first, second] = await Promise.all([sharedVisitorSecret(createRecords(pool)), sharedVisitorSecret(createRecords(pool))]);
    expect(first.byteLength).toBe(32);
    expect(second.equals(first)).toBe(true);
  });

  it('keeps what two instances wrote to one chat, in order, with the page ids of customer messages', async () => {
    const a = createClusterChatLog<ReturnType<typeof event>>(pool, { logger, readLimit: 3 });
    const b = createClusterChatLog<ReturnType<typeof event>>(pool, { logger, readLimit: 3 });
    const question = { ...event('a-1', 'Bonjour'), from: 'customer', clientMessageId: 'c1' };
    await a.write('awa', { events: [question], clientMessageIds: ['c1'] });
    await b.write('awa', { events: [question, event('b-1', 'Bonjour Awa')], clientMessageIds: [] });
    await a.write('awa', { events: [question, event('a-2', 'Vous avez des sacs ?')], clientMessageIds: ['c1'] }); // a's copy lacks b-1
    expect((await b.read('awa'))!.events.map((e) => e.id)).toEqual(['a-1', 'b-1', 'a-2']);
    expect((await b.read('awa'))!.clientMessageIds).toEqual(['c1']);
    await b.write('awa', { events: [event('b-2', 'Oui')], clientMessageIds: [] });
    expect((await a.read('awa'))!.events.map((e) => e.id)).toEqual(['b-1', 'a-2', 'b-2']); // the newest readLimit
    expect(await a.read('nobody')).toBeUndefined();
  });

  it('tells the other instances, not the one that published', async () => {
    const heard: [string, WebChatSignal][] = [];
    const hubs = await Promise.all(
      ['a', 'b'].map(async (name) => {
        let hub: ReturnType<typeof createClusterChatHub> | undefined;
        const instance = await joinCluster({ databaseUrl, pool, logger, onTake: () => undefined, onLost: () => undefined, onWeb: (payload) => hub?.heard(payload) });
        joined.push(instance);
        hub = createClusterChatHub(pool, instance.id, logger);
        hub.subscribe((signal) => heard.push([name, signal]));
        return hub;
      }),
    );
    hubs[0]!.publish({ kind: 'events', chatId: 'awa' });
    hubs[1]!.publish({ kind: 'typing', chatId: 'kofi', visibleMs: 6000 });
    await vi.waitFor(() => expect(heard).toHaveLength(2));
    expect(heard).toEqual(
      expect.arrayContaining([
        ['b', { kind: 'events', chatId: 'awa' }],
        ['a', { kind: 'typing', chatId: 'kofi', visibleMs: 6000 }],
      ]),
    );
  });
});
