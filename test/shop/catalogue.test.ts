import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/infra/logger.js';
import { categories, createCatalogue } from '../../src/shop/catalogue.js';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import { StoreError } from '../../src/store/errors.js';
import type { Store } from '../../src/store/types.js';
import { PRODUCTS, ZONES } from './fixtures.js';

type CatalogueStore = Pick<Store, 'listProducts' | 'listZones'>;

function captureLogs() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const messages = (level: 'info' | 'warn') => lines.filter((line) => line['level'] === (level === 'info' ? 30 : 40)).map((line) => String(line['msg']));
  return { logger, messages };
}

/** Delegates to a real store until told to fail, then fails like an unreachable database. */
function flaky(inner: CatalogueStore) {
  let failing = false;
  let calls = 0;
  const guard = <T>(work: () => Promise<T>) => {
    calls += 1;
    return failing
      ? Promise.reject(new StoreError('catalog.list', { code: 'store_unavailable', message: 'connection refused' }))
      : work();
  };
  const store: CatalogueStore = {
    listProducts: () => guard(() => inner.listProducts()),
    listZones: () => guard(() => inner.listZones()),
  };
  return { store, fail: (value: boolean) => void (failing = value), calls: () => calls };
}

const down = flaky({ listProducts: async () => [], listZones: async () => [] });
down.fail(true);
const fixtureStore: CatalogueStore = { listProducts: async () => [...PRODUCTS], listZones: async () => [...ZONES] };

describe('createCatalogue with the embedded store', () => {
  let store: Store;
  let dir: string;
  beforeAll(async () => {
    store = await createEmbeddedStore({ dataDir: 'memory://' });
    dir = await mkdtemp(join(tmpdir(), 'akwaba-catalogue-'));
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the seeded catalogue, which the test fixture mirrors', async () => {
    const { logger } = captureLogs();
    const catalogue = createCatalogue({ store, logger, now: () => 1_000 });
    expect(catalogue.status()).toEqual({ state: 'empty' });
    expect(catalogue.snapshot()).toBeUndefined();

    const snapshot = await catalogue.refresh();
    expect(snapshot?.loadedAt).toBe(1_000);
    expect(catalogue.snapshot()).toBe(snapshot);
    expect(catalogue.status()).toEqual({ state: 'ready', loadedAt: 1_000 });
    const withoutIds = <T extends { id: string }>(items: readonly T[]) => items.map(({ id: _id, ...rest }) => rest);
    expect(withoutIds(snapshot!.products)).toEqual(withoutIds(PRODUCTS));
    expect(withoutIds(snapshot!.zones)).toEqual(withoutIds(ZONES));
    expect(categories(snapshot!)).toEqual(['accessoires', 'chemises', 'ensembles', 'jupes', 'pantalons', 'robes']);
  });

  it('keeps serving the last snapshot while the store fails, logging once per outage', async () => {
    const { logger, messages } = captureLogs();
    let clock = 1_000;
    const wrapper = flaky(store);
    const catalogue = createCatalogue({ store: wrapper.store, logger, now: () => clock });
    const good = await catalogue.refresh();

    wrapper.fail(true);
    for (let tick = 0; tick < 5; tick++) {
      clock += 60_000;
      expect(await catalogue.refresh()).toBe(good);
    }
    expect(catalogue.snapshot()).toBe(good);
    expect(catalogue.status()).toMatchObject({ state: 'stale', loadedAt: 1_000, error: expect.stringContaining('store_unavailable') });
    expect(messages('warn')).toEqual(['catalogue: store unavailable, serving the last catalogue']);

    wrapper.fail(false);
    clock += 60_000;
    const fresh = await catalogue.refresh();
    expect(fresh?.loadedAt).toBe(clock);
    expect(catalogue.status()).toEqual({ state: 'ready', loadedAt: clock });
    expect(messages('info')).toEqual(['catalogue: store reachable again, catalogue refreshed']);

    wrapper.fail(true);
    await catalogue.refresh();
    expect(messages('warn')).toHaveLength(2); // a new outage is logged again
  });

  it('writes the cache file atomically and starts from it when the store is down at start-up', async () => {
    const cacheFile = join(dir, 'nested', 'catalogue.json');
    const first = createCatalogue({ store, logger: captureLogs().logger, cacheFile, now: () => 5_000 });
    await first.refresh();
    expect((await readdir(join(dir, 'nested'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(JSON.parse(await readFile(cacheFile, 'utf8'))).toMatchObject({ version: 1, snapshot: { loadedAt: 5_000 } });

    // 2 AM, database in maintenance, the bot restarts
    const { logger, messages } = captureLogs();
    const cold = createCatalogue({ store: down.store, logger, cacheFile, now: () => 9_000 });
    const snapshot = await cold.refresh();
    expect(snapshot?.loadedAt).toBe(5_000);
    expect(snapshot?.products.find((product) => product.slug === 'robe-cocktail-bordeaux')?.priceFcfa).toBe(45000);
    expect(snapshot?.zones.find((zone) => zone.name === 'Marcory')?.feeFcfa).toBe(2000);
    expect(cold.status()).toMatchObject({ state: 'stale', loadedAt: 5_000 });
    expect(messages('info')).toEqual(['catalogue: store unavailable, serving the cached catalogue']);
    expect(messages('warn')).toEqual(['catalogue: store unavailable, serving the last catalogue']);
  });
});

describe('createCatalogue without a usable cache', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'akwaba-catalogue-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is empty, not crashed, when the store was never reached and there is no cache', async () => {
    const { logger, messages } = captureLogs();
    const catalogue = createCatalogue({ store: down.store, logger, cacheFile: join(dir, 'missing.json') });
    expect(await catalogue.refresh()).toBeUndefined();
    expect(await catalogue.refresh()).toBeUndefined();
    expect(catalogue.status()).toMatchObject({ state: 'empty', error: expect.stringContaining('connection refused') });
    expect(messages('warn')).toEqual(['catalogue: store unavailable, no catalogue yet']);
  });

  it('ignores a corrupt cache file, saying so', async () => {
    const cacheFile = join(dir, 'corrupt.json');
    await writeFile(cacheFile, '{"version":1,"snapshot":{"products":[{"name":"Robe"}]');
    const { logger, messages } = captureLogs();
    const catalogue = createCatalogue({ store: down.store, logger, cacheFile });
    expect(await catalogue.refresh()).toBeUndefined();
    expect(messages('warn')).toContain('catalogue: cache file unreadable, ignored');
  });

  it('keeps working when the cache cannot be written, warning once', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const { logger, messages } = captureLogs();
    let products = [...PRODUCTS];
    const store: CatalogueStore = { listProducts: async () => products, listZones: async () => [...ZONES] };
    const catalogue = createCatalogue({ store, logger, cacheFile: join(blocker, 'catalogue.json') });
    expect((await catalogue.refresh())?.products).toHaveLength(PRODUCTS.length);
    products = products.slice(1);
    expect((await catalogue.refresh())?.products).toHaveLength(PRODUCTS.length - 1);
    expect(messages('warn')).toEqual(['catalogue: could not write the cache file']);
    expect(catalogue.status().state).toBe('ready');
  });
});

describe('createCatalogue in the background', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('refreshes at start, then every refreshMs, until stopped', async () => {
    vi.useFakeTimers();
    const counted = flaky(fixtureStore);
    const catalogue = createCatalogue({ store: counted.store, logger: captureLogs().logger, refreshMs: 10_000 });
    catalogue.start();
    catalogue.start(); // idempotent
    await vi.advanceTimersByTimeAsync(0);
    expect(counted.calls()).toBe(2); // products + zones
    expect(catalogue.snapshot()?.products).toHaveLength(PRODUCTS.length);

    await vi.advanceTimersByTimeAsync(9_999);
    expect(counted.calls()).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(counted.calls()).toBe(4);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(counted.calls()).toBe(10);

    catalogue.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(counted.calls()).toBe(10);
  });

  it('shares one load between concurrent refreshes', async () => {
    const counted = flaky(fixtureStore);
    const catalogue = createCatalogue({ store: counted.store, logger: captureLogs().logger });
    const [a, b] = await Promise.all([catalogue.refresh(), catalogue.refresh()]);
    expect(a).toBe(b);
    expect(counted.calls()).toBe(2);
  });

  it('does not keep the process alive with its timer', async () => {
    const timers: NodeJS.Timeout[] = [];
    const realSetTimeout = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((...args: Parameters<typeof setTimeout>) => {
      const timer = realSetTimeout(...args);
      if (args[1] === 3_600_000) timers.push(timer);
      return timer;
    }) as typeof setTimeout);
    const catalogue = createCatalogue({ store: fixtureStore, logger: captureLogs().logger, refreshMs: 3_600_000 });
    catalogue.start();
    await vi.waitFor(() => expect(timers.length).toBeGreaterThan(0));
    catalogue.stop();
    expect(timers.every((timer) => !timer.hasRef())).toBe(true);
  });
});
