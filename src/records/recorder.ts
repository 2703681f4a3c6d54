import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../infra/logger.js';
import type { ConversationObserver, ReplyEvent } from '../core/observer.js';
import type { ConversationEvent } from '../store/records.js';
import type { Store } from '../store/types.js';
import type { IncomingMessage } from '../core/message.js';
import { isSpoken } from '../core/reader.js';
import { voiceLine, type VoiceNoteRecord } from './voice-line.js';

/** Writes every message and reply to the store, in batches, off the reply path. */
export interface Recorder {
  /** Give it to the engine (`EngineOptions.observer`). */
  readonly observer: ConversationObserver;
  /**
   * Records what became of a voice note already recorded as received: its line becomes
   * "🎤 0:07 — « transcript »" (the same event, rewritten, so it is still one message).
   */
  recordVoice(message: IncomingMessage, note: VoiceNoteRecord): void;
  /** Writes what is waiting now; resolves when done or when the store failed (events kept). */
  flush(): Promise<void>;
  /** Takes back the events spilled by the last `stop()` and writes them. */
  start(): Promise<void>;
  /** Last flush; what the store still refuses goes to `spillFile` (if any) for the next start. */
  stop(): Promise<void>;
  /** Events waiting to be written. */
  waiting(): number;
}

/** Options of {@link createRecorder}. */
export interface RecorderOptions {
  readonly store: Pick<Store, 'recordEvents'>;
  readonly logger: Logger;
  /** Events per store call (default 200). */
  readonly batchSize?: number;
  /** How long an event may wait for company before a write (default 1 s). */
  readonly flushDelayMs?: number;
  /** While the store is down, at most this many events wait in memory; the oldest go first (default 10 000). */
  readonly maxWaiting?: number;
  /** Longest pause between two tries while the store is down (default 30 s; doubles from `flushDelayMs`). */
  readonly maxRetryDelayMs?: number;
  /** Where `stop()` leaves unwritten events, e.g. `${DATA_DIR}/records-waiting.json`. */
  readonly spillFile?: string;
  /** Customer texts longer than this are cut in the records (default 2000). */
  readonly maxTextChars?: number;
}

/**
 * Creates the recorder. Observer calls only push to an in-memory buffer, so a slow or dead
 * database never delays a reply. Writes are retried with backoff; while the database is down
 * the buffer is bounded (oldest dropped and counted in the logs), and on shutdown what is left
 * is spilled to `spillFile`. Each event carries its own uuid, so a batch written twice (a
 * timed-out call that did commit) is recorded once.
 *
 * @example
 * const recorder = createRecorder({ store, logger, spillFile: join(dataDir, 'records-waiting.json') });
 * const engine = createEngine({ ...options, observer: recorder.observer });
 */
export function createRecorder(options: RecorderOptions): Recorder {
  const { store, logger } = options;
  const batchSize = options.batchSize ?? 200;
  const flushDelayMs = options.flushDelayMs ?? 1000;
  const maxWaiting = options.maxWaiting ?? 10_000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  const maxTextChars = options.maxTextChars ?? 2000;
  let buffer: ConversationEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let flushing: Promise<void> | undefined;
  let failures = 0;
  let dropped = 0;
  let stopped = false;
  let fullBatchPlanned = false;

  const cut = (text: string) => (text.length > maxTextChars ? `${text.slice(0, maxTextChars)}…` : text);

  function schedule(delayMs: number): void {
    if (timer !== undefined || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      fullBatchPlanned = false;
      void flush();
    }, delayMs);
    timer.unref();
  }

  function push(event: ConversationEvent): void {
    buffer.push(event);
    if (buffer.length > maxWaiting) {
      const excess = buffer.length - maxWaiting;
      buffer.splice(0, excess);
      if (dropped === 0) logger.warn({ maxWaiting }, 'records: database unreachable too long, oldest events dropped');
      dropped += excess;
    }
    if (failures > 0) return; // a retry is already planned
    if (buffer.length >= batchSize && !fullBatchPlanned) {
      // a full batch goes now rather than at the end of the current delay
      clearTimeout(timer);
      timer = undefined;
      fullBatchPlanned = true;
      schedule(0);
    } else {
      schedule(flushDelayMs);
    }
  }

  async function writeAll(): Promise<void> {
    while (buffer.length > 0) {
      const batch = lastOfEachId(buffer.splice(0, batchSize));
      try {
        await store.recordEvents(batch);
      } catch (error) {
        buffer = [...batch, ...buffer];
        if (failures === 0) logger.warn({ err: error, waiting: buffer.length }, 'records: database unreachable, events kept in memory');
        failures += 1;
        schedule(Math.min(maxRetryDelayMs, flushDelayMs * 2 ** failures));
        return;
      }
      if (failures > 0 || dropped > 0) logger.info({ dropped }, 'records: database reachable again, events written');
      failures = 0;
      dropped = 0;
      // An embedded database works on this thread: timers due (a fallback) go before the next batch.
      if (buffer.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  function flush(): Promise<void> {
    flushing ??= writeAll()
      .catch((error: unknown) => logger.error({ err: error }, 'records: flush failed'))
      .finally(() => (flushing = undefined));
    return flushing;
  }

  function received(message: IncomingMessage, text: string): ConversationEvent {
    return {
      // A voice note's id is its message's, so its transcript can rewrite it later.
      id: isSpoken(message) ? stableId(message) : randomUUID(),
      at: message.receivedAt,
      channel: message.channel,
      chatId: message.chatId,
      direction: 'in',
      kind: message.kind,
      reason: null,
      text: cut(text),
      messageId: message.messageId,
      replyTo: [],
      modelLatencyMs: null,
      customerName: message.from.name ?? message.from.username ?? null,
    };
  }

  const observer: ConversationObserver = {
    messageReceived(message: IncomingMessage) {
      const spokenLine = isSpoken(message) && message.text === '' ? voiceLine({ ...message.media }) : undefined;
      push(received(message, spokenLine ?? message.text));
    },
    replySent(event: ReplyEvent) {
      recordReply(event);
    },
  };

  function recordReply(reply: ReplyEvent): void {
    push({
      id: randomUUID(),
      at: reply.at,
      channel: reply.channel,
      chatId: reply.chatId,
      direction: 'out',
      kind: reply.kind,
      reason: reply.reason ?? null,
      text: cut(reply.text),
      messageId: null,
      replyTo: [...reply.messageIds],
      modelLatencyMs: reply.modelLatencyMs ?? null,
      customerName: null,
    });
  }

  function recordVoice(message: IncomingMessage, note: VoiceNoteRecord): void {
    const event = received(message, voiceLine({ durationSec: message.media?.durationSec, ...note }));
    const waiting = buffer.findIndex((candidate) => candidate.id === event.id);
    if (waiting >= 0) buffer[waiting] = event;
    else push(event);
  }

  return {
    observer,
    recordVoice,
    flush,
    waiting: () => buffer.length,
    async start() {
      stopped = false;
      if (!options.spillFile) return;
      const spilled = await readSpill(options.spillFile, logger);
      if (spilled.length === 0) return;
      buffer = [...spilled, ...buffer];
      await rm(options.spillFile, { force: true });
      logger.info({ events: spilled.length }, 'records: events kept at the last stop taken back');
      await flush();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await flushing;
      if (buffer.length > 0) await flush();
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      if (buffer.length === 0 || !options.spillFile) {
        if (buffer.length > 0) logger.warn({ events: buffer.length }, 'records: database unreachable at shutdown, events lost');
        return;
      }
      try {
        await mkdir(dirname(options.spillFile), { recursive: true });
        const temporary = `${options.spillFile}.${process.pid}.tmp`;
        await writeFile(temporary, JSON.stringify(buffer));
        await rename(temporary, options.spillFile);
        logger.info({ events: buffer.length }, 'records: database unreachable at shutdown, events kept on disk');
        buffer = [];
      } catch (error) {
        logger.error({ err: error, events: buffer.length }, 'records: events could not be kept on disk');
      }
    },
  };
}

/** A uuid that is always the same for one message (sha-256 of its channel, chat and id). */
function stableId(message: IncomingMessage): string {
  const hex = createHash('sha256').update(`${message.channel}\u0000${message.chatId}\u0000${message.messageId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The batch with one event per id, the latest copy (a rewritten voice note), in order. */
function lastOfEachId(events: ConversationEvent[]): ConversationEvent[] {
  const last = new Map(events.map((event, i) => [event.id, i]));
  return events.filter((event, i) => last.get(event.id) === i);
}

async function readSpill(file: string, logger: Logger): Promise<ConversationEvent[]> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return Array.isArray(parsed) ? (parsed as ConversationEvent[]) : [];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn({ err: error }, 'records: spill file unreadable, ignored');
    return [];
  }
}
