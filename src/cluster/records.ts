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

/**
 * The handed-off chats as one record, read once at start (`handoff` reads its list
 * synchronously), written whole at each change like `handoffs.json`.
 */
export async function loadHandoffRecord(records: Records, logger: Logger): Promise<HandoffStateFile> {
  const chats = (await records.get<HandedOffChat[]>('handoffs', 'all')) ?? [];
  let writing: Promise<void> = Promise.resolve();
  return {
    load: () => chats,
    save(list) {
      const value = [...list];
      // Chained: an older list never lands after a newer one.
      writing = writing.then(() => records.put('handoffs', 'all', value).catch((error: unknown) => logger.error({ err: error }, 'handed-off chats could not be saved')));
      return writing;
    },
  };
}
