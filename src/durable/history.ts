import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryStore } from '../core/history.js';
import type { ChatEntry } from '../core/responder.js';
import type { Logger } from '../infra/logger.js';

/** Options of {@link createFileHistoryStore}. */
export interface FileHistoryOptions {
  /** Entries kept per conversation (default 40). */
  readonly keep?: number;
  /**
   * Saves wait this long and go out together, one write per conversation however many turns
   * it had meanwhile (default 5000 ms; 0 writes at once). A crash loses at most this much
   * history, never a message: those are in the journal.
   */
  readonly flushDelayMs?: number;
  /** Conversations whose history stays in memory, most recent first (default 500). */
  readonly cached?: number;
  /** Where a save written behind the replies that fails is reported (it is tried again). */
  readonly logger?: Logger;
}

/**
 * Keeps each conversation in its own small JSON file under `dir`, written atomically
 * (temporary file, then rename) so a crash never leaves half a file. Recent conversations are
 * kept in memory (a customer's next message reads no file) and saves are written behind the
 * replies, coalesced, with at most `cached` conversations waiting.
 */
export function createFileHistoryStore(dir: string, options: FileHistoryOptions = {}): HistoryStore {
  const keep = options.keep ?? 40;
  const flushDelayMs = options.flushDelayMs ?? 5000;
  const cacheSize = Math.max(1, options.cached ?? 500);
  let made: Promise<unknown> | undefined;
  /** The folder, made at the first read or write (again after a failure). */
  const ready = () =>
    (made ??= mkdir(dir, { recursive: true }).catch((error: unknown) => {
      made = undefined;
      throw error;
    }));
  // Conversation keys hold chat ids; hashing keeps file names short, safe and free of ids.
  const fileOf = (key: string) => join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  /** Recent conversations, least recently used first (a Map keeps insertion order). */
  const cache = new Map<string, readonly ChatEntry[]>();
  const unsaved = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();

  function remember(key: string, entries: readonly ChatEntry[]): void {
    cache.delete(key);
    cache.set(key, entries);
    for (const oldest of cache.keys()) {
      if (cache.size <= cacheSize) break;
      if (unsaved.has(oldest)) break; // the next flush writes it, then it may go
      cache.delete(oldest);
    }
  }

  async function write(key: string, entries: readonly ChatEntry[]): Promise<void> {
    await ready();
    const file = fileOf(key);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(entries));
    await rename(temporary, file);
  }

  /** Writes every unsaved conversation; the first failure is thrown once the others are written. */
  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch = [...unsaved].map((key) => [key, cache.get(key) ?? []] as const);
    unsaved.clear();
    writing = writing.then(async () => {
      const results = await Promise.allSettled(batch.map(([key, entries]) => write(key, entries)));
      for (const [index, result] of results.entries()) {
        // A failed save is tried again with the next flush, unless a newer one replaced it.
        if (result.status === 'rejected' && !unsaved.has(batch[index]![0])) unsaved.add(batch[index]![0]);
      }
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) {
        later();
        throw failed.reason;
      }
    });
    return writing;
  }

  function later(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush().catch((error: unknown) => options.logger?.error({ err: error }, 'conversation history not saved; trying again'));
    }, flushDelayMs);
    timer.unref();
  }

  return {
    async load(key) {
      const cached = cache.get(key);
      if (cached) {
        remember(key, cached);
        return [...cached];
      }
      await ready();
      try {
        const parsed: unknown = JSON.parse(await readFile(fileOf(key), 'utf8'));
        const entries = Array.isArray(parsed) ? parsed.filter(isChatEntry) : [];
        remember(key, entries);
        return [...entries];
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    },
    save(key, entries) {
      remember(key, entries.slice(-keep));
      unsaved.add(key);
      if (flushDelayMs === 0 || unsaved.size >= cacheSize) return flush();
      later();
      return Promise.resolve();
    },
    flush,
  };
}

/** A history kept in memory only, for tests and short-lived runs. */
export function createMemoryHistoryStore(): HistoryStore {
  const conversations = new Map<string, ChatEntry[]>();
  return {
    load: async (key) => [...(conversations.get(key) ?? [])],
    save: async (key, entries) => void conversations.set(key, [...entries]),
  };
}

function isChatEntry(value: unknown): value is ChatEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (entry.role === 'user' || entry.role === 'assistant') && typeof entry.content === 'string' && typeof entry.at === 'number';
}
