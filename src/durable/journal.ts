import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../infra/logger.js';
import type { InboundJournal, MessageRef, UnansweredEntry } from '../core/journal.js';
import type { IncomingMessage } from '../core/message.js';

/** How the journal keeps its files. */
export interface JournalOptions {
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Answered messages are remembered this long to drop redeliveries (Telegram keeps updates 24 h). Default one day. */
  readonly keepAnsweredMs?: number;
  /** The journal compacts itself after this many records were appended. Default 5000. */
  readonly compactEveryRecords?: number;
  /** A platform payload bigger than this (as JSON) is not kept with the message. Default 16 KiB. */
  readonly maxRawBytes?: number;
}

/** A journal write failed: the message was taken, but would not survive a crash. */
export class JournalError extends Error {
  override readonly name = 'JournalError';
  readonly code = 'journal_write_failed';
  constructor(operation: string, options: { cause: unknown }) {
    super(`journal: ${operation} failed`, options);
  }
}

/** One line of a segment file. A compacted segment holds `in` for the open, `done` for the answered. */
type JournalRecord =
  | { op: 'in'; id: string; m: IncomingMessage; fallbackAt?: number }
  | { op: 'fallback'; ids: string[]; at: number }
  | { op: 'done'; ids: string[]; at: number; how: string };

interface Slot {
  /** Kept while the message is unanswered. */
  message?: IncomingMessage;
  fallbackAt?: number;
  doneAt?: number;
  durable: Promise<void>;
}

/** The write of an answered message's record, long settled: one promise for them all. */
const SETTLED: Promise<void> = Promise.resolve();
const SEGMENT = /^(\d{10})\.log$/;
const segmentName = (seq: number) => `${String(seq).padStart(10, '0')}.log`;
const idOf = (ref: MessageRef) => `${ref.channel}\u0000${ref.chatId}\u0000${ref.messageId}`;

/**
 * Opens (or creates) the journal in `dir`: append-only segment files of JSON lines, each write
 * fsync'd, writes arriving together sharing one fsync. Every start replays the segments,
 * skipping a torn last line, and compacts them into a fresh segment, so appends never follow
 * a half-written line.
 *
 * @example
 * const journal = await openJournal(join(config.dataDir, 'journal'), { logger });
 * const engine = createEngine({ ...clients, journal });
 */
export async function openJournal(dir: string, options: JournalOptions = {}): Promise<InboundJournal> {
  const now = options.now ?? Date.now;
  const keepAnsweredMs = options.keepAnsweredMs ?? 24 * 60 * 60 * 1000;
  const compactEvery = options.compactEveryRecords ?? 5000;
  const maxRawBytes = options.maxRawBytes ?? 16 * 1024;
  await mkdir(dir, { recursive: true });

  const slots = new Map<string, Slot>();
  const segments = (await readdir(dir)).filter((name) => SEGMENT.test(name)).sort();
  let skipped = 0;
  for (const name of segments) {
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
      if (line === '') continue;
      const record = parseRecord(line);
      if (record) replay(slots, record);
      else skipped += 1;
    }
  }
  if (skipped > 0) options.logger?.warn({ skipped, dir }, 'journal: unreadable lines skipped (a torn write at a crash)');
  for (const [id, slot] of slots) if (slot.message === undefined && slot.doneAt === undefined) slots.delete(id);

  let seq = segments.length > 0 ? Number(SEGMENT.exec(segments.at(-1)!)![1]) : 0;
  let file: FileHandle | undefined;
  let appendedSinceCompaction = 0;
  let closed = false;
  const writer = createGroupWriter(async (text) => {
    if (!file) throw new Error('journal is closed');
    await file.write(text);
    await file.datasync();
  });

  async function rewrite(): Promise<void> {
    const old = (await readdir(dir)).filter((name) => SEGMENT.test(name));
    const cutoff = now() - keepAnsweredMs;
    const lines: string[] = [];
    for (const [id, slot] of slots) {
      if (slot.doneAt !== undefined) {
        if (slot.doneAt < cutoff) slots.delete(id);
        else lines.push(JSON.stringify({ op: 'done', ids: [id], at: slot.doneAt, how: 'kept' }));
      } else if (slot.message) {
        lines.push(JSON.stringify({ op: 'in', id, m: slot.message, ...(slot.fallbackAt !== undefined && { fallbackAt: slot.fallbackAt }) }));
      }
    }
    seq += 1;
    const next = await open(join(dir, segmentName(seq)), 'a');
    try {
      if (lines.length > 0) await next.write(`${lines.join('\n')}\n`);
      await next.sync();
      await syncFolder(dir);
    } catch (error) {
      await next.close();
      throw error;
    }
    await file?.close();
    file = next;
    // The snapshot is durable: the older segments say nothing it does not.
    for (const name of old) await rm(join(dir, name), { force: true });
    appendedSinceCompaction = 0;
  }

  function append(record: JournalRecord): Promise<void> {
    if (closed) return Promise.reject(new JournalError(record.op, { cause: new Error('journal is closed') }));
    appendedSinceCompaction += 1;
    const written = writer.write(`${JSON.stringify(record)}\n`).catch((error: unknown) => {
      throw new JournalError(record.op, { cause: error });
    });
    if (appendedSinceCompaction >= compactEvery) {
      appendedSinceCompaction = 0;
      writer.exclusive(rewrite).catch((error: unknown) => options.logger?.error({ err: error }, 'journal: compaction failed'));
    }
    return written;
  }

  function mark(refs: readonly MessageRef[], update: (slot: Slot) => void, record: JournalRecord): Promise<void> {
    for (const ref of refs) {
      const slot = slots.get(idOf(ref));
      if (slot) update(slot);
    }
    return refs.length === 0 ? Promise.resolve() : append(record);
  }

  await rewrite();

  return {
    record(message) {
      const id = idOf(message);
      const known = slots.get(id);
      if (known) return known.durable.then(() => 'duplicate' as const, () => 'duplicate' as const);
      const stored = storable(message, maxRawBytes);
      const durable = append({ op: 'in', id, m: stored });
      slots.set(id, { message: stored, durable });
      return durable.then(() => 'new' as const);
    },
    markFallback(refs, at) {
      return mark(refs, (slot) => (slot.fallbackAt ??= at), { op: 'fallback', ids: refs.map(idOf), at });
    },
    markAnswered(refs, at, how) {
      return mark(
        refs,
        (slot) => {
          slot.doneAt ??= at;
          slot.message = undefined;
          // Its write settled long ago (the answer came after it): keep a day of ids, not a day of promises.
          slot.durable = SETTLED;
        },
        { op: 'done', ids: refs.map(idOf), at, how },
      );
    },
    has: (ref) => slots.has(idOf(ref)),
    unanswered() {
      const open: UnansweredEntry[] = [];
      for (const slot of slots.values()) {
        if (slot.doneAt !== undefined || !slot.message) continue;
        open.push({ message: slot.message, ...(slot.fallbackAt !== undefined && { fallbackAt: slot.fallbackAt }) });
      }
      return open.sort((a, b) => a.message.receivedAt - b.message.receivedAt);
    },
    flush: () => writer.idle(),
    compact: () => writer.exclusive(rewrite),
    async close() {
      if (closed) return;
      closed = true;
      await writer.idle();
      await file?.close();
      file = undefined;
    },
  };
}

function replay(slots: Map<string, Slot>, record: JournalRecord): void {
  const slotOf = (id: string): Slot => {
    let slot = slots.get(id);
    if (!slot) slots.set(id, (slot = { durable: Promise.resolve() }));
    return slot;
  };
  switch (record.op) {
    case 'in': {
      const slot = slotOf(record.id);
      if (slot.doneAt === undefined) slot.message ??= record.m;
      if (record.fallbackAt !== undefined) slot.fallbackAt ??= record.fallbackAt;
      return;
    }
    case 'fallback':
      for (const id of record.ids) slotOf(id).fallbackAt ??= record.at;
      return;
    case 'done':
      for (const id of record.ids) {
        const slot = slotOf(id);
        slot.doneAt ??= record.at;
        slot.message = undefined;
      }
  }
}

/** A line as written, or `undefined` for a torn or foreign one. */
function parseRecord(line: string): JournalRecord | undefined {
  let record: Partial<Record<string, unknown>>;
  try {
    record = JSON.parse(line) as Partial<Record<string, unknown>>;
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null) return undefined;
  if (record.op === 'in') {
    const m = record.m as Partial<Record<keyof IncomingMessage, unknown>> | null | undefined;
    const whole = typeof m?.chatId === 'string' && typeof m.messageId === 'string' && typeof m.text === 'string' && typeof m.receivedAt === 'number';
    return typeof record.id === 'string' && whole ? (record as JournalRecord) : undefined;
  }
  const ids = Array.isArray(record.ids) && record.ids.every((id) => typeof id === 'string');
  return (record.op === 'fallback' || record.op === 'done') && ids && typeof record.at === 'number' ? (record as JournalRecord) : undefined;
}

/** The message as it can be written: the platform payload is kept when it is plain and small. */
function storable(message: IncomingMessage, maxRawBytes: number): IncomingMessage {
  let raw: string | undefined;
  try {
    raw = JSON.stringify(message.raw);
  } catch {
    raw = undefined; // circular or otherwise not plain data
  }
  const keepRaw = raw !== undefined && Buffer.byteLength(raw) <= maxRawBytes;
  return { ...message, raw: keepRaw ? message.raw : null };
}

async function syncFolder(dir: string): Promise<void> {
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/**
 * Serializes writes to one file; lines queued while a write is in flight go out together in
 * the next one (one fsync for all of them). `exclusive` runs a task between two writes.
 */
function createGroupWriter(writeAndSync: (text: string) => Promise<void>) {
  let waiting: { text: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let chain: Promise<void> = Promise.resolve();
  let scheduled = false;

  async function writeWaiting(): Promise<void> {
    scheduled = false;
    const batch = waiting;
    waiting = [];
    try {
      await writeAndSync(batch.map((entry) => entry.text).join(''));
      for (const entry of batch) entry.resolve();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }

  return {
    write(text: string): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ text, resolve, reject });
        if (scheduled) return;
        scheduled = true;
        chain = chain.then(writeWaiting);
      });
    },
    exclusive(task: () => Promise<void>): Promise<void> {
      const done = chain.then(task);
      chain = done.catch(() => undefined);
      return done;
    },
    idle: (): Promise<void> => chain,
  };
}
