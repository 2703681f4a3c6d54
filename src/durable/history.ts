import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryStore } from '../core/history.js';
import type { ChatEntry } from '../core/responder.js';

/**
 * Keeps each conversation in its own small JSON file under `dir`, written atomically
 * (temporary file, then rename) so a crash never leaves half a file.
 */
export function createFileHistoryStore(dir: string, options: { keep?: number } = {}): HistoryStore {
  const keep = options.keep ?? 40;
  const ready = mkdir(dir, { recursive: true });
  // Conversation keys hold chat ids; hashing keeps file names short, safe and free of ids.
  const fileOf = (key: string) => join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  return {
    async load(key) {
      await ready;
      try {
        const parsed: unknown = JSON.parse(await readFile(fileOf(key), 'utf8'));
        return Array.isArray(parsed) ? parsed.filter(isChatEntry) : [];
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    },
    async save(key, entries) {
      await ready;
      const file = fileOf(key);
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(entries.slice(-keep)));
      await rename(temporary, file);
    },
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
