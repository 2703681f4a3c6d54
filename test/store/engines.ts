/**
 * The two engines the SQL runs on, behind one tiny interface so the behaviour suite is
 * written once: a throw-away database on the local PostgreSQL server, and PGlite in memory.
 */
import { randomBytes } from 'node:crypto';
import { openPGlite } from '../../src/store/pglite.js';
import pg from 'pg';
import { loadMigrations, loadSeed } from '../../src/store/sql.js';

/** Where the real PostgreSQL server listens (trust auth). */
export const PG_ADMIN = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' } as const;

/** One database the suite can talk to. */
export interface SqlEngine {
  readonly name: 'postgres' | 'pglite';
  /** Runs one statement (with `$n` parameters) and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs several statements without parameters. */
  exec(sql: string): Promise<void>;
  /** Runs one statement as `role` inside a transaction that is always rolled back. */
  queryAs<T = Record<string, unknown>>(role: string, sql: string, params?: readonly unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** Migrations then seed, as `supabase db reset` does. */
export async function migrateAndSeed(engine: SqlEngine): Promise<void> {
  for (const file of await loadMigrations()) await engine.exec(file.sql);
  await engine.exec((await loadSeed()).sql);
}

/** A fresh `akwaba_test_<random>` database on the local server, migrated and seeded (unless `migrate: false`); dropped on close. */
export async function openPostgres(options: { migrate?: boolean } = {}): Promise<SqlEngine & { readonly pool: pg.Pool; readonly database: string }> {
  const database = `akwaba_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(PG_ADMIN);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ ...PG_ADMIN, database, max: 12 });
  // DROP DATABASE … WITH (FORCE) terminates connections still closing (57P01); that is expected
  // at the end of a test file and must not surface as an unhandled error.
  pool.on('error', () => undefined);
  const engine = {
    name: 'postgres' as const,
    pool,
    database,
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return (await pool.query(sql, [...params])).rows as T[];
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    async queryAs<T>(role: string, sql: string, params: readonly unknown[] = []): Promise<T[]> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL ROLE ${role}`);
        return (await client.query(sql, [...params])).rows as T[];
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release();
      }
    },
    async close(): Promise<void> {
      await pool.end();
      const dropper = new pg.Client(PG_ADMIN);
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
  try {
    if (options.migrate !== false) await migrateAndSeed(engine);
  } catch (error) {
    await engine.close();
    throw error;
  }
  return engine;
}

/** PGlite in memory, migrated and seeded (unless `migrate: false`). */
export async function openPglite(options: { migrate?: boolean } = {}): Promise<SqlEngine> {
  const db = await openPGlite({ path: 'memory://' });
  const engine: SqlEngine = {
    name: 'pglite',
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return (await db.query<T>(sql, [...params])).rows;
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
    async queryAs<T>(role: string, sql: string, params: readonly unknown[] = []): Promise<T[]> {
      let rows: T[] = [];
      await db.transaction(async (tx) => {
        await tx.exec(`SET LOCAL ROLE ${role}`);
        try {
          rows = (await tx.query<T>(sql, [...params])).rows;
        } finally {
          await tx.rollback();
        }
      });
      return rows;
    },
    close: () => db.close(),
  };
  if (options.migrate !== false) await migrateAndSeed(engine);
  return engine;
}
