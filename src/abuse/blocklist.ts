import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/** A customer the owner has blocked. */
export interface BlockedCustomer {
  readonly channel: string;
  readonly chatId: string;
  /** When they were blocked (ISO 8601). */
  readonly since: string;
  /** Why, in the owner's words. */
  readonly note?: string;
}

/** Customers whose messages the bot ignores; kept in a JSON file so a restart keeps them out. */
export interface Blocklist {
  /** Synchronous, from memory: called for every incoming message. */
  isBlocked(channel: string, chatId: string): boolean;
  /** Blocks a chat; resolves once it is on disk. */
  block(channel: string, chatId: string, options?: { note?: string }): Promise<void>;
  /** Unblocks a chat; resolves with whether it was blocked, once the change is on disk. */
  unblock(channel: string, chatId: string): Promise<boolean>;
  list(): BlockedCustomer[];
}

/** The blocklist file cannot be read or written. */
export class BlocklistError extends Error {
  override readonly name = 'BlocklistError';
  constructor(
    readonly code: 'blocklist_unreadable' | 'blocklist_unwritable' | 'invalid_customer',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const id = z.string().trim().min(1).max(200);
const entry = z.object({ channel: id, chatId: id, since: z.string(), note: z.string().max(500).optional() });
const file = z.object({ blocked: z.array(entry) });

const keyOf = (channel: string, chatId: string) => `${channel}\u0000${chatId}`;

/**
 * Opens the blocklist kept in `path` (usually `DATA_DIR/blocked.json`), creating it on the
 * first block. Changes are written atomically (temporary file, then rename), one at a time; a
 * change that cannot be written is undone and rejected, so memory and disk always agree.
 *
 * @throws BlocklistError when the file exists but is not a valid blocklist: fix or delete it
 * rather than let blocked customers back in unnoticed.
 *
 * @example
 * const blocklist = await openBlocklist(join(config.dataDir, 'blocked.json'));
 * await blocklist.block('telegram', '123456', { note: 'insultes' });
 */
export async function openBlocklist(path: string, options: { now?: () => number } = {}): Promise<Blocklist> {
  const now = options.now ?? Date.now;
  const entries = new Map<string, BlockedCustomer>();
  for (const customer of await readBlocklist(path)) entries.set(keyOf(customer.channel, customer.chatId), customer);
  let writing: Promise<void> = Promise.resolve();

  function persist(undo: () => void): Promise<void> {
    const snapshot = JSON.stringify({ blocked: [...entries.values()] }, null, 2);
    const write = writing.then(async () => {
      try {
        await mkdir(dirname(path), { recursive: true });
        const temporary = `${path}.${process.pid}.tmp`;
        await writeFile(temporary, `${snapshot}\n`, { mode: 0o600 });
        await rename(temporary, path);
      } catch (error) {
        undo();
        throw new BlocklistError('blocklist_unwritable', `cannot write ${path}: ${String(error)}`, { cause: error });
      }
    });
    writing = write.catch(() => undefined);
    return write;
  }

  function checked(channel: string, chatId: string): [string, string] {
    const parsed = z.tuple([id, id]).safeParse([channel, chatId]);
    if (!parsed.success) throw new BlocklistError('invalid_customer', 'a channel and a chat id (1 to 200 characters) are needed');
    return parsed.data;
  }

  return {
    isBlocked: (channel, chatId) => entries.has(keyOf(channel, chatId)),
    async block(rawChannel, rawChatId, blockOptions = {}) {
      const [channel, chatId] = checked(rawChannel, rawChatId);
      const key = keyOf(channel, chatId);
      const before = entries.get(key);
      const note = blockOptions.note?.trim().slice(0, 500);
      entries.set(key, { channel, chatId, since: before?.since ?? new Date(now()).toISOString(), ...(note && { note }) });
      await persist(() => (before ? entries.set(key, before) : entries.delete(key)));
    },
    async unblock(rawChannel, rawChatId) {
      const [channel, chatId] = checked(rawChannel, rawChatId);
      const key = keyOf(channel, chatId);
      const before = entries.get(key);
      if (!before) return false;
      entries.delete(key);
      await persist(() => entries.set(key, before));
      return true;
    },
    list: () => [...entries.values()],
  };
}

async function readBlocklist(path: string): Promise<BlockedCustomer[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new BlocklistError('blocklist_unreadable', `cannot read ${path}: ${String(error)}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BlocklistError('blocklist_unreadable', `${path} is not valid JSON: fix it or delete it to start with no one blocked`, {
      cause: error,
    });
  }
  const result = file.safeParse(parsed);
  if (!result.success) {
    throw new BlocklistError(
      'blocklist_unreadable',
      `${path} is not a blocklist ({ "blocked": [{ "channel", "chatId", "since" }] }): fix it or delete it`,
      { cause: result.error },
    );
  }
  return result.data.blocked.map(({ note, ...customer }) => (note === undefined ? customer : { ...customer, note }));
}
