/**
 * Where checkouts are kept. One small interface, so a Postgres table can replace the files
 * when several instances share the work; the files come first because they need nothing.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileDurably } from '../../durable/atomic-file.js';
import { setRecent } from '../../infra/recent.js';
import type { CheckoutState } from './state.js';

/** Durable checkout states, one per conversation. */
export interface CheckoutStore {
  /** The state of a conversation, or `undefined` (none, or unreadable). */
  load(key: string): Promise<CheckoutState | undefined>;
  /** Writes durably before resolving. */
  save(state: CheckoutState): Promise<void>;
  /** Every state kept, in no particular order. */
  list(): Promise<CheckoutState[]>;
  remove(key: string): Promise<void>;
}

const item = z.object({ slug: z.string(), name: z.string(), size: z.string(), quantity: z.number().int().positive() });
const button = z.object({ id: z.string(), label: z.string() });
const schema = z.looseObject({
  version: z.literal(1),
  key: z.string(),
  channel: z.string(),
  chatId: z.string(),
  id: z.string(),
  step: z.enum(['browsing', 'product', 'size', 'name', 'phone', 'zone', 'review', 'summary', 'edit', 'done', 'cancelled']),
  items: z.array(item),
  shown: z.array(z.string()),
  choices: z.array(button),
  seq: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

/**
 * Checkouts as JSON files in `dir`, one per conversation, each written atomically and
 * fsync'd ({@link writeFileDurably}): a crash or a restart in the middle of a purchase loses
 * neither the cart nor the details given. File names are hashes: no chat id (on WhatsApp, a
 * phone number) appears in them. The recent conversations' states (or their absence) stay in
 * memory, at most `cached` of them: every customer message asks, and most have none.
 */
export function createFileCheckoutStore(dir: string, options: { readonly cached?: number } = {}): CheckoutStore {
  const ready = mkdir(dir, { recursive: true });
  const fileOf = (key: string) => join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  const cacheSize = Math.max(1, options.cached ?? 1000);
  /** The JSON of each recent state, `null` for none; least recently used first. */
  const cache = new Map<string, string | null>();
  const remember = (key: string, text: string | null) => setRecent(cache, key, text, cacheSize);

  async function read(file: string): Promise<CheckoutState | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      return parsed.success ? (parsed.data as unknown as CheckoutState) : undefined;
    } catch {
      return undefined; // a torn or hand-edited file is a fresh start, not a crash
    }
  }

  return {
    async load(key) {
      const cached = cache.get(key);
      if (cached !== undefined) {
        remember(key, cached);
        return cached === null ? undefined : (JSON.parse(cached) as CheckoutState);
      }
      await ready;
      const state = await read(fileOf(key));
      remember(key, state === undefined ? null : JSON.stringify(state));
      return state;
    },
    async save(state) {
      await ready;
      const text = JSON.stringify(state);
      cache.delete(state.key); // a failed write must not be remembered as written
      await writeFileDurably(fileOf(state.key), text);
      remember(state.key, text);
    },
    async list() {
      await ready;
      const names = (await readdir(dir)).filter((name) => name.endsWith('.json'));
      const states = await Promise.all(names.map((name) => read(join(dir, name)).catch(() => undefined)));
      return states.filter((state): state is CheckoutState => state !== undefined);
    },
    async remove(key) {
      await ready;
      cache.delete(key);
      await rm(fileOf(key), { force: true });
    },
  };
}

/** Checkouts in memory, for tests and short-lived runs. */
export function createMemoryCheckoutStore(): CheckoutStore {
  const states = new Map<string, string>();
  return {
    load: async (key) => {
      const text = states.get(key);
      return text === undefined ? undefined : (JSON.parse(text) as CheckoutState);
    },
    save: async (state) => void states.set(state.key, JSON.stringify(state)),
    list: async () => [...states.values()].map((text) => JSON.parse(text) as CheckoutState),
    remove: async (key) => void states.delete(key),
  };
}
