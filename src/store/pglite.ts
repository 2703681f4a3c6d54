/**
 * Opening the embedded PostgreSQL (PGlite) at the cost a small shop needs: no initdb on a first
 * start, one compiled WebAssembly module per process, memory settings sized for a few thousand rows.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { gunzipSync } from 'node:zlib';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { packageRoot } from './sql.js';

/**
 * PostgreSQL's defaults are sized for a server of its own; in a WASM process each buffer is
 * resident memory. 128 MB of shared buffers cost 309 MB at rest, 8 MB cost 159 MB, 4 MB 3–4 MB
 * less again; a shop's catalogue and orders fit in them (the system's page cache keeps the rest
 * of the files), and its migrations need little maintenance memory.
 */
export const SMALL_SHOP_SETTINGS = [
  'shared_buffers = 4MB',
  'max_connections = 4',
  'work_mem = 2MB',
  'maintenance_work_mem = 8MB',
  'temp_buffers = 2MB',
  'wal_buffers = 256kB',
];

/**
 * A data directory made by PGlite's initdb (`npm run pglite:base`, committed): a first start
 * unpacks it instead of running initdb, which takes seconds and ~800 MB at its peak.
 */
export function baseDataDirFile(root: string = packageRoot()): string {
  return join(root, 'supabase', 'embedded', 'pglite-base.tgz');
}

/** Options of {@link openPGlite}. */
export interface OpenPGliteOptions {
  /** A directory on disk, or `memory://`. */
  readonly path: string;
  /** The packed data directory to start from (default {@link baseDataDirFile}); `null` runs initdb. */
  readonly base?: string | null;
}

type WasmModule = NonNullable<PGliteOptions['pgliteWasmModule']>;
/** The WebAssembly global, which Node has and this project's `lib` (no DOM) does not declare. */
const wasmApi = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> } }).WebAssembly;

let compiled: Promise<WasmModule> | undefined;

/**
 * PGlite's module compiled once per process, by V8's baseline compiler only: the optimizing
 * tier costs ~45 MB resident and its compile time more CPU than it saves on a shop's queries
 * (measured: 176 vs 253 MB and 0.37 vs 0.35 ms per insert over 20,000 inserts).
 */
function pgliteModule(): Promise<WasmModule> {
  compiled ??= (async () => {
    setFlagsFromString('--liftoff-only');
    const require = (await import('node:module')).createRequire(import.meta.url);
    const wasm = join(dirname(require.resolve('@electric-sql/pglite')), 'pglite.wasm');
    return wasmApi.compile(await readFile(wasm));
  })();
  compiled.catch(() => {
    compiled = undefined;
  });
  return compiled;
}

/**
 * Opens PGlite at `path`. An empty directory is first filled from the packed base (a missing or
 * unreadable base falls back to initdb); `memory://` loads the base into memory.
 */
export async function openPGlite(options: OpenPGliteOptions): Promise<PGlite> {
  const basePath = options.base === undefined ? baseDataDirFile() : options.base;
  const base = basePath !== null && existsSync(basePath) ? await readFile(basePath) : undefined;
  const settings = { postgresqlconf: SMALL_SHOP_SETTINGS, pgliteWasmModule: await pgliteModule() };
  if (options.path.startsWith('memory://')) {
    return PGlite.create(options.path, { ...settings, ...(base && { loadDataDir: new Blob([base]) }) });
  }
  await mkdir(options.path, { recursive: true });
  if (base && !existsSync(join(options.path, 'PG_VERSION'))) await unpackBase(base, options.path);
  return PGlite.create(options.path, settings);
}

/**
 * Unpacks the base into `dir` through a sibling directory and a rename, so that a crash
 * midway leaves no half data directory behind (the next start unpacks again).
 */
async function unpackBase(tgz: Buffer, dir: string): Promise<void> {
  const partial = `${dir}.unpacking`;
  await rm(partial, { recursive: true, force: true });
  for (const entry of readTar(gunzipSync(tgz))) {
    const target = join(partial, entry.path);
    if (entry.directory) await mkdir(target, { recursive: true });
    else {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, entry.data, { mode: 0o600 });
    }
  }
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
}

interface TarEntry {
  readonly path: string;
  readonly directory: boolean;
  readonly data: Uint8Array;
}

/**
 * Reads a ustar archive (https://www.gnu.org/software/tar/manual/html_node/Standard.html):
 * 512-byte headers, octal sizes, contents padded to 512 bytes. Only files and directories,
 * which is all PGlite's `dumpDataDir` writes; a path leaving the archive's root is refused.
 */
export function* readTar(archive: Uint8Array): Generator<TarEntry> {
  const text = (start: number, length: number) => {
    const field = archive.subarray(start, start + length);
    const end = field.indexOf(0);
    return new TextDecoder().decode(end === -1 ? field : field.subarray(0, end));
  };
  for (let at = 0; at + 512 <= archive.length; ) {
    const name = text(at, 100);
    if (name === '') return; // two zero blocks end the archive
    const prefix = text(at + 345, 155);
    const size = Number.parseInt(text(at + 124, 12).trim() || '0', 8);
    const type = text(at + 156, 1);
    const path = normalize((prefix ? `${prefix}/${name}` : name).replace(/^\/+/, ''));
    if (path.startsWith(`..${sep}`) || path === '..') throw new Error(`tar: ${path} leaves the archive`);
    const data = archive.subarray(at + 512, at + 512 + size);
    if (type === '5') yield { path, directory: true, data };
    else if (type === '0' || type === '') yield { path, directory: false, data };
    at += 512 + Math.ceil(size / 512) * 512;
  }
}

/**
 * Runs PGlite's initdb in memory and packs the data directory to `file` (`npm run pglite:base`;
 * again after upgrading PGlite: the base must come from the PostgreSQL it is opened with).
 */
export async function writeBaseDataDir(file: string = baseDataDirFile()): Promise<void> {
  const db = await PGlite.create('memory://', { postgresqlconf: SMALL_SHOP_SETTINGS, pgliteWasmModule: await pgliteModule() });
  try {
    await db.exec('CHECKPOINT');
    const packed = await db.dumpDataDir('gzip');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, new Uint8Array(await packed.arrayBuffer()));
  } finally {
    await db.close();
  }
}
