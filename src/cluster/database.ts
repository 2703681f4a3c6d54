import pg from 'pg';
import { loadMigrations, loadSeed, type SqlFile } from '../store/sql.js';

/** A shared-mode database call failed; `operation` says which (e.g. `journal.record`). */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  readonly code = 'cluster_failed';
  constructor(
    readonly operation: string,
    options: { cause: unknown },
  ) {
    // The driver's reason (never the connection string): what an operator reads when start-up stops here.
    super(`cluster: ${operation} failed${options.cause instanceof Error ? `: ${options.cause.message}` : ''}`, options);
  }
}

/** The advisory lock space of akwaba ('akw'): (7367543, n) is instance n's life, (7367543, 0) the migrations. */
export const LOCK_SPACE = 7367543;

/**
 * The pool every shared-mode adapter queries through. A direct or session connection: the
 * instance's lock and its `LISTEN` need one session that lives as long as the process, which a
 * transaction pooler does not give.
 */
export function createPool(databaseUrl: string, max = 6): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5000 });
  // An idle client whose server went away: the next query reconnects; the error is not fatal.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Applies the migrations not yet applied (the same files as the embedded database and
 * Supabase), then the demo seed on an empty shop, under one advisory lock so that instances
 * starting together do it once.
 *
 * @returns the names applied now.
 */
export async function migrate(pool: pg.Pool, options: { seed?: boolean; files?: readonly SqlFile[] } = {}): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, 0)', [LOCK_SPACE]);
    await client.query(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM public.schema_migrations')).rows.map((row) => row.name));
    const applied: string[] = [];
    for (const file of options.files ?? (await loadMigrations())) {
      if (done.has(file.name)) continue;
      await inTransaction(client, async () => {
        await client.query(file.sql);
        await client.query('INSERT INTO public.schema_migrations (name) VALUES ($1)', [file.name]);
      });
      applied.push(file.name);
    }
    if (options.seed ?? true) {
      const { rows } = await client.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM public.products) AS empty');
      if (rows[0]?.empty) {
        const seed = await loadSeed();
        await inTransaction(client, () => client.query(seed.sql));
      }
    }
    return applied;
  } catch (error) {
    throw new ClusterError('migrate', { cause: error });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, 0)', [LOCK_SPACE]).catch(() => undefined);
    client.release();
  }
}

async function inTransaction(client: pg.PoolClient, work: () => Promise<unknown>): Promise<void> {
  await client.query('BEGIN');
  try {
    await work();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
