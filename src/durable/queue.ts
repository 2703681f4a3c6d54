import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from './atomic-file.js';

/** One item waiting in a {@link DurableQueue}. */
export interface QueuedItem<T> {
  readonly key: string;
  readonly enqueuedAt: number;
  readonly attempts: number;
  readonly item: T;
}

/**
 * Items that must survive a crash until they are handled (orders written while the database
 * is down, notifications to deliver). One file per key: putting the same key twice keeps one.
 */
export interface DurableQueue<T> {
  /** Writes the item to disk (fsync'd) before resolving. */
  put(key: string, item: T, attempts?: number): Promise<void>;
  /** Every waiting item, oldest first. */
  list(): Promise<QueuedItem<T>[]>;
  remove(key: string): Promise<void>;
}

/**
 * A {@link DurableQueue} in a folder, one file per item written with {@link writeFileDurably}:
 * a crash leaves either the old state or the new one, never half a file.
 */
export function createFileQueue<T>(dir: string): DurableQueue<T> {
  const ready = mkdir(dir, { recursive: true });
  const fileOf = (key: string) => join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);

  return {
    async put(key, item, attempts = 0) {
      await ready;
      const existing = await readItem<T>(fileOf(key));
      const entry: QueuedItem<T> = { key, enqueuedAt: existing?.enqueuedAt ?? Date.now(), attempts, item };
      await writeFileDurably(fileOf(key), JSON.stringify(entry));
    },
    async list() {
      await ready;
      const names = (await readdir(dir)).filter((name) => name.endsWith('.json'));
      const items = await Promise.all(names.map((name) => readItem<T>(join(dir, name))));
      return items.filter((item): item is QueuedItem<T> => item !== undefined).sort((a, b) => a.enqueuedAt - b.enqueuedAt);
    },
    async remove(key) {
      await ready;
      await rm(fileOf(key), { force: true });
    },
  };
}

async function readItem<T>(file: string): Promise<QueuedItem<T> | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as QueuedItem<T>;
    return typeof parsed.key === 'string' && typeof parsed.enqueuedAt === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Moves the queues of an older `DATA_DIR` layout (`outbox/`) to `queues/`, once, so orders and
 * notices waiting from before an upgrade are still delivered.
 */
export async function moveLegacyQueues(dataDir: string): Promise<void> {
  const legacy = join(dataDir, 'outbox');
  const current = join(dataDir, 'queues');
  try {
    await rename(legacy, current);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Nothing to move, or already moved.
    if (code !== 'ENOENT' && code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
  }
}
