/**
 * The catalogue in memory: products and delivery zones loaded from the store, refreshed in
 * the background, and still there when the database is not (maintenance at 2 AM), from the
 * last good load or from a cache file written after each one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../infra/logger.js';
import type { DeliveryZone, Product, Store } from '../store/types.js';

/** Products and zones as loaded at one moment. */
export interface CatalogueSnapshot {
  readonly products: readonly Product[];
  readonly zones: readonly DeliveryZone[];
  /** When the store gave this data (epoch ms). */
  readonly loadedAt: number;
}

/** `ready`: fresh from the store; `stale`: last good data while the store fails; `empty`: nothing to serve. */
export interface CatalogueStatus {
  readonly state: 'ready' | 'stale' | 'empty';
  readonly loadedAt?: number;
  /** Why the last refresh failed. */
  readonly error?: string;
}

/** Options of {@link createCatalogue}. */
export interface CatalogueOptions {
  readonly store: Pick<Store, 'listProducts' | 'listZones'>;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** Time between background refreshes (default 60 s). */
  readonly refreshMs?: number;
  /** Where to keep a copy of the last good snapshot, for a start while the store is down. */
  readonly cacheFile?: string;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/** The shop's catalogue, always answering from memory. */
export interface Catalogue {
  /** The last good snapshot, or undefined if none was ever loaded. */
  snapshot(): CatalogueSnapshot | undefined;
  /** Loads from the store now; never throws: on failure, resolves to the snapshot still served. */
  refresh(): Promise<CatalogueSnapshot | undefined>;
  /** Loads now, then every `refreshMs` (the timer does not keep the process alive). */
  start(): void;
  /** Stops the background refresh. */
  stop(): void;
  status(): CatalogueStatus;
}

const productSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  priceFcfa: z.number().int().nonnegative(),
  photoUrl: z.string().nullable(),
  sizes: z.array(z.object({ size: z.string(), stock: z.number().int() })),
});
const zoneSchema = z.object({
  id: z.string(),
  name: z.string(),
  aliases: z.array(z.string()),
  feeFcfa: z.number().int().nonnegative(),
  delay: z.string(),
});
const cacheSchema = z.object({
  version: z.literal(1),
  snapshot: z.object({ products: z.array(productSchema), zones: z.array(zoneSchema), loadedAt: z.number() }),
});

/** The categories of a snapshot, in catalogue order, each once. */
export function categories(snapshot: CatalogueSnapshot): string[] {
  return [...new Set(snapshot.products.map((product) => product.category))];
}

/**
 * Creates the catalogue. Call `start()` once at start-up; read `snapshot()` per message.
 *
 * @example
 * const catalogue = createCatalogue({ store, logger, cacheFile: join(dataDir, 'catalogue.json') });
 * catalogue.start();
 */
export function createCatalogue(options: CatalogueOptions): Catalogue {
  const { store, logger, cacheFile } = options;
  const refreshMs = options.refreshMs ?? 60_000;
  const now = options.now ?? Date.now;
  let current: CatalogueSnapshot | undefined;
  let lastError: string | undefined;
  let outageSince: number | undefined;
  let cacheTried = false;
  let cacheWriteFailing = false;
  let lastWritten: string | undefined;
  let inFlight: Promise<CatalogueSnapshot | undefined> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  async function readCache(): Promise<void> {
    if (!cacheFile || cacheTried || current) return;
    cacheTried = true;
    try {
      const parsed = cacheSchema.parse(JSON.parse(await readFile(cacheFile, 'utf8')));
      current = parsed.snapshot;
      lastWritten = JSON.stringify({ products: current.products, zones: current.zones });
      logger.info(
        { cacheFile, loadedAt: new Date(current.loadedAt).toISOString(), products: current.products.length },
        'catalogue: store unavailable, serving the cached catalogue',
      );
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (!missing) logger.warn({ err: error, cacheFile }, 'catalogue: cache file unreadable, ignored');
    }
  }

  async function writeCache(snapshot: CatalogueSnapshot): Promise<void> {
    if (!cacheFile) return;
    const data = JSON.stringify({ products: snapshot.products, zones: snapshot.zones });
    if (data === lastWritten) return;
    // write then rename: a crash mid-write never leaves a half file to be read at the next start
    const temporary = `${cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(cacheFile), { recursive: true });
      await writeFile(temporary, JSON.stringify({ version: 1, snapshot }), 'utf8');
      await rename(temporary, cacheFile);
      lastWritten = data;
      cacheWriteFailing = false;
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      if (!cacheWriteFailing) logger.warn({ err: error, cacheFile }, 'catalogue: could not write the cache file');
      cacheWriteFailing = true;
    }
  }

  async function load(): Promise<CatalogueSnapshot | undefined> {
    try {
      const [products, zones] = await Promise.all([store.listProducts(), store.listZones()]);
      const snapshot: CatalogueSnapshot = { products, zones, loadedAt: now() };
      current = snapshot;
      lastError = undefined;
      if (outageSince !== undefined) {
        logger.info({ outageMs: now() - outageSince }, 'catalogue: store reachable again, catalogue refreshed');
        outageSince = undefined;
      }
      await writeCache(snapshot);
      return snapshot;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      if (outageSince === undefined) {
        outageSince = now();
        await readCache();
        logger.warn(
          { err: error, servingSince: current ? new Date(current.loadedAt).toISOString() : null },
          current ? 'catalogue: store unavailable, serving the last catalogue' : 'catalogue: store unavailable, no catalogue yet',
        );
      } else {
        await readCache();
      }
      return current;
    }
  }

  function refresh(): Promise<CatalogueSnapshot | undefined> {
    inFlight ??= load().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  function schedule(): void {
    if (!running || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void refresh().finally(schedule);
    }, refreshMs);
    timer.unref();
  }

  return {
    snapshot: () => current,
    refresh,
    start() {
      if (running) return;
      running = true;
      void refresh().finally(schedule);
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    status() {
      if (!current) return { state: 'empty', ...(lastError !== undefined && { error: lastError }) };
      if (lastError !== undefined) return { state: 'stale', loadedAt: current.loadedAt, error: lastError };
      return { state: 'ready', loadedAt: current.loadedAt };
    },
  };
}
