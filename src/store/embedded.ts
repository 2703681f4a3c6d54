/**
 * The default store: PostgreSQL compiled to WebAssembly (PGlite) inside this process,
 * persisted on disk, running the very migrations Supabase runs.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { openPGlite } from './pglite.js';
import { StoreError } from './errors.js';
import { loadMigrations, loadSeed, type SqlFile } from './sql.js';
import { storeOn, toStoreError } from './sql-store.js';
import type { Store } from './types.js';

/** Options of {@link createEmbeddedStore}. */
export interface EmbeddedStoreOptions {
  /** Data goes to `${dataDir}/pglite`; `memory://` keeps everything in memory. */
  readonly dataDir: string;
  /** Load `supabase/seed.sql` when the shop has no products yet (default `true`). */
  readonly seed?: boolean;
  /** In memory whatever `dataDir` says (for tests). */
  readonly inMemory?: boolean;
  /** Where `supabase/` lives; defaults to the package root. */
  readonly root?: string;
}

/**
 * Opens (creating if needed) the embedded database, applies pending migrations and, on an
 * empty shop, the seed.
 *
 * @throws StoreError when the database cannot be opened or migrated.
 */
export async function createEmbeddedStore(options: EmbeddedStoreOptions): Promise<Store> {
  const inMemory = options.inMemory === true || options.dataDir.startsWith('memory://');
  const db = await open(inMemory ? 'memory://' : join(options.dataDir, 'pglite'));
  try {
    const migrations = await loadMigrations(options.root);
    const applied = await applyMigrations(db, migrations);
    if (options.seed ?? true) await seedIfEmpty(db, await loadSeed(options.root));
    const mark = schemaMarkOf(options.dataDir);
    if (!inMemory && (applied.length > 0 || !existsSync(mark))) await writeFile(mark, schemaMark(migrations));
  } catch (error) {
    await db.close().catch(() => undefined);
    throw toStoreError('store.migrate', error);
  }
  return storeOn(db, 'embedded');
}

/** The file saying which migrations `dataDir`'s database has (a start that finds them all runs none). */
export const schemaMarkOf = (dataDir: string) => join(dataDir, 'pglite.migrations');
/** What {@link schemaMarkOf} holds once every migration in `migrations` is applied. */
export const schemaMark = (migrations: readonly SqlFile[]) => `${migrations.map((file) => file.name).sort().join('\n')}\n`;

async function open(path: string): Promise<PGlite> {
  try {
    return await openPGlite({ path });
  } catch (error) {
    throw new StoreError('store.open', { code: 'store_unavailable', cause: error });
  }
}

/**
 * Applies, in name order, each migration not yet listed in `schema_migrations`, each in its
 * own transaction together with its bookkeeping row.
 *
 * @returns the names applied now.
 */
export async function applyMigrations(db: PGlite, files: readonly SqlFile[]): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const done = await db.query<{ name: string }>('SELECT name FROM public.schema_migrations');
  const applied = new Set(done.rows.map((row) => row.name));
  const now: string[] = [];
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (applied.has(file.name)) continue;
    await db.transaction(async (tx) => {
      await tx.exec(file.sql);
      await tx.query('INSERT INTO public.schema_migrations (name) VALUES ($1)', [file.name]);
    });
    now.push(file.name);
  }
  return now;
}

async function seedIfEmpty(db: PGlite, seed: SqlFile): Promise<void> {
  const { rows } = await db.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM public.products) AS empty');
  if (rows[0]?.empty) await db.transaction(async (tx) => void (await tx.exec(seed.sql)));
}

