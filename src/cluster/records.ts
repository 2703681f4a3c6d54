import type pg from 'pg';
import type { HandedOffChat, HandoffStateFile } from '../handoff/state-file.js';
import type { Logger } from '../infra/logger.js';
import type { CheckoutStore } from '../shop/checkout/store.js';
import type { CheckoutState } from '../shop/checkout/state.js';
import { ClusterError } from './database.js';

/**
 * Small JSON records in `cluster.records`, by kind and key: what one instance kept as a JSON
 * file in DATA_DIR (a checkout under way, the handed-off chats), shared so it survives the
 * instance.
 */
export interface Records {
  get<T>(kind: string, key: string): Promise<T | undefined>;
  put(kind: string, key: string, value: unknown): Promise<void>;
  /** Writes the record unless one is there already (the first instance's value wins). */
  putIfAbsent(kind: string, key: string, value: unknown): Promise<void>;
  list<T>(kind: string): Promise<T[]>;
  remove(kind: string, key: string): Promise<void>;
}

/** The records table through `pool`. */
export function createRecords(pool: pg.Pool): Records {
  async function query<T extends pg.QueryResultRow>(operation: string, sql: string, params: unknown[]): Promise<T[]> {
    try {
      return (await pool.query<T>(sql, params)).rows;
    } catch (error) {
      throw new ClusterError(`records.${operation}`, { cause: error });
    }
  }
  return {
    async get<T>(kind: string, key: string) {
      const rows = await query<{ value: T }>('get', 'SELECT value FROM cluster.records WHERE kind = $1 AND key = $2', [kind, key]);
      return rows[0]?.value;
    },
    async put(kind, key, value) {
      await query(
        'put',
        `INSERT INTO cluster.records (kind, key, value) VALUES ($1, $2, $3)
         ON CONFLICT (kind, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [kind, key, JSON.stringify(value)],
      );
    },
    async putIfAbsent(kind, key, value) {
      await query('putIfAbsent', 'INSERT INTO cluster.records (kind, key, value) VALUES ($1, $2, $3) ON CONFLICT (kind, key) DO NOTHING', [kind, key, JSON.stringify(value)]);
    },
    async list<T>(kind: string) {
      return (await query<{ value: T }>('list', 'SELECT value FROM cluster.records WHERE kind = $1', [kind])).map((row) => row.value);
    },
    async remove(kind, key) {
      await query('remove', 'DELETE FROM cluster.records WHERE kind = $1 AND key = $2', [kind, key]);
    },
  };
}

/** Checkouts under way as records: the instance holding the chat reads and writes them. */
export function createClusterCheckoutStore(records: Records): CheckoutStore {
  return {
    load: (key) => records.get<CheckoutState>('checkout', key),
    save: (state) => records.put('checkout', state.key, state),
    list: () => records.list<CheckoutState>('checkout'),
    remove: (key) => records.remove('checkout', key),
  };
}

/** The handed-off chats shared by every instance, and what refreshes this instance's copy. */
export interface ClusterHandoffState extends HandoffStateFile {
  /** Reads the list again and hands it to the watcher (another instance changed it). */
  reload(): Promise<void>;
}

const chatKey = (chat: HandedOffChat) => `${chat.channel}:${chat.chatId}`;

/**
 * The handed-off chats as one record per chat (kind `handoff`), read once at start (`handoff`
 * reads its list synchronously). A save writes what changed since this instance's last view —
 * so two instances changing two chats do not undo each other — then announces it (`changed`):
 * every instance reloads, and a chat the owner took over from the dashboard on one instance is
 * quiet on the instance answering it.
 */
export async function loadHandoffState(records: Records, options: { changed: () => Promise<void>; logger: Logger }): Promise<ClusterHandoffState> {
  let known = new Map((await records.list<HandedOffChat>('handoff')).map((chat) => [chatKey(chat), chat]));
  let apply: ((chats: readonly HandedOffChat[]) => void) | undefined;
  let writing: Promise<void> = Promise.resolve();
  let reloading: Promise<void> = Promise.resolve();
  /** Writes what `list` changed from `base`, the view it was made from (a reload meanwhile must not turn into removals). */
  async function write(list: readonly HandedOffChat[], base: ReadonlyMap<string, HandedOffChat>): Promise<void> {
    const next = new Map(list.map((chat) => [chatKey(chat), chat]));
    for (const [key, chat] of next) if (JSON.stringify(base.get(key)) !== JSON.stringify(chat)) await records.put('handoff', key, chat);
    for (const key of base.keys()) if (!next.has(key)) await records.remove('handoff', key);
    known = next;
    // Every instance reloads, this one too: `known` becomes what Postgres holds.
    await options.changed();
  }
  return {
    load: () => [...known.values()],
    save(list) {
      const base = known;
      // Chained: an older list never lands after a newer one.
      writing = writing.then(() => write(list, base).catch((error: unknown) => options.logger.error({ err: error }, 'handed-off chats could not be saved')));
      return writing;
    },
    watch(watcher) {
      apply = watcher;
    },
    reload() {
      // One at a time, in the order asked: a slow older read never lands after a newer one.
      reloading = reloading.catch(() => undefined).then(async () => {
        await writing;
        known = new Map((await records.list<HandedOffChat>('handoff')).map((chat) => [chatKey(chat), chat]));
        apply?.([...known.values()]);
      });
      return reloading;
    },
  };
}
