import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../src/infra/logger.js';
import type { ChatEvent } from './visitors.js';

/** What is kept of one visitor's chat. */
export interface StoredChat {
  readonly events: readonly ChatEvent[];
  /** The page's ids of recent customer messages, so a message resent after a restart is known. */
  readonly clientMessageIds: readonly string[];
}

/** Where visitors' chats outlive the process. */
export interface ChatLog {
  read(chatId: string): Promise<StoredChat | undefined>;
  /**
   * Queues a write of the chat as it is now (writes of one chat are coalesced, in order).
   * Resolves once it is written, or given up (logged); never rejects.
   */
  write(chatId: string, chat: StoredChat): Promise<void>;
  /** Forgets chats not written for `retentionMs`. */
  sweep(): Promise<void>;
  /** Resolves once every queued write is on disk. */
  flush(): Promise<void>;
}

/** Options of {@link createFileChatLog}. */
export interface FileChatLogOptions {
  /** A folder of its own, e.g. `DATA_DIR/web-chat/visitors`. */
  readonly dir: string;
  /** Most chats kept; past it the least recently written are deleted. */
  readonly maxChats: number;
  /** A chat not written for this long is deleted. */
  readonly retentionMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

const CHAT_FILE = /^([A-Za-z0-9_-]{1,64})\.json$/;
/** Chat ids that can name a file: anything else is kept in memory only, never used as a path. */
const SAFE_CHAT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * One JSON file per visitor (written whole to a temporary file, then renamed, so a crash
 * leaves the old or the new chat, never half of one). Bounded in total: `maxChats` files, each
 * as bounded as the visitor book's history, and none older than `retentionMs`.
 */
export function createFileChatLog(options: FileChatLogOptions): ChatLog {
  const { dir, logger } = options;
  const now = options.now ?? Date.now;
  // chat id → last write; Map order is the order of the writes, oldest first.
  const index = new Map<string, number>();
  const pending = new Map<string, StoredChat>();
  const writing = new Map<string, Promise<void>>();
  const fileOf = (chatId: string) => join(dir, `${chatId}.json`);

  const ready = (async () => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const found: [string, number][] = [];
    for (const name of await readdir(dir)) {
      const chatId = CHAT_FILE.exec(name)?.[1];
      if (!chatId) continue;
      const stats = await stat(join(dir, name)).catch(() => undefined);
      if (stats) found.push([chatId, stats.mtimeMs]);
    }
    for (const [chatId, at] of found.sort((a, b) => a[1] - b[1])) index.set(chatId, at);
    await trim();
  })().catch((error: unknown) => logger.error({ err: error }, 'web chat: saved chats unreadable; starting without them'));

  async function forget(chatId: string): Promise<void> {
    index.delete(chatId);
    await rm(fileOf(chatId), { force: true }).catch((error: unknown) => logger.warn({ err: error }, 'web chat: old chat not deleted'));
  }

  async function trim(): Promise<void> {
    const oldest = now() - options.retentionMs;
    for (const [chatId, at] of index) {
      if (index.size <= options.maxChats && at >= oldest) break;
      if (!pending.has(chatId) && !writing.has(chatId)) await forget(chatId);
    }
  }

  function schedule(chatId: string): void {
    if (writing.has(chatId)) return;
    const done = drain(chatId).finally(() => {
      writing.delete(chatId);
      if (pending.has(chatId)) schedule(chatId);
    });
    writing.set(chatId, done);
  }

  async function written(chatId: string): Promise<void> {
    for (let running = writing.get(chatId); running; running = writing.get(chatId)) await running;
  }

  async function drain(chatId: string): Promise<void> {
    await ready;
    for (let chat = pending.get(chatId); chat; chat = pending.get(chatId)) {
      pending.delete(chatId);
      const file = fileOf(chatId);
      try {
        await writeFile(`${file}.tmp`, JSON.stringify(chat), { mode: 0o600 });
        await rename(`${file}.tmp`, file);
      } catch (error) {
        logger.warn({ err: error }, 'web chat: chat not saved (it stays in memory)');
      }
    }
  }

  return {
    async read(chatId) {
      if (!SAFE_CHAT_ID.test(chatId)) return undefined;
      await ready;
      const queued = pending.get(chatId);
      if (queued) return queued;
      await writing.get(chatId);
      if (!index.has(chatId)) return undefined;
      try {
        const parsed = JSON.parse(await readFile(fileOf(chatId), 'utf8')) as Partial<StoredChat>;
        return {
          events: Array.isArray(parsed.events) ? parsed.events.filter(isChatEvent) : [],
          clientMessageIds: Array.isArray(parsed.clientMessageIds) ? parsed.clientMessageIds.filter((id) => typeof id === 'string') : [],
        };
      } catch (error) {
        logger.warn({ err: error }, 'web chat: a saved chat could not be read; it starts afresh');
        return undefined;
      }
    },
    write(chatId, chat) {
      if (!SAFE_CHAT_ID.test(chatId)) return Promise.resolve();
      pending.set(chatId, chat);
      const isNew = !index.has(chatId);
      index.delete(chatId);
      index.set(chatId, now());
      schedule(chatId);
      if (isNew && index.size > options.maxChats) void trim();
      return written(chatId);
    },
    async sweep() {
      await ready;
      await trim();
    },
    async flush() {
      await ready;
      while (writing.size > 0) await Promise.all([...writing.values()]);
    },
  };
}

function isChatEvent(value: unknown): value is ChatEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Record<string, unknown>;
  if (typeof event.id !== 'string' || typeof event.at !== 'number') return false;
  if (event.type === 'message') return typeof event.text === 'string' && (event.from === 'customer' || event.from === 'shop');
  return event.type === 'photo' && typeof event.url === 'string' && typeof event.caption === 'string';
}
