/**
 * What the core asks of the inbound journal: the durable record of every customer message and
 * of its reply. The file implementation lives in `durable/`.
 */
import type { IncomingMessage } from './message.js';

/** Names one customer message on one channel: what a platform's redelivery repeats. */
export interface MessageRef {
  readonly channel: string;
  readonly chatId: string;
  readonly messageId: string;
}

/** A message the journal holds that has not had its real answer yet. */
export interface UnansweredEntry {
  readonly message: IncomingMessage;
  /** When a fallback went out for it (epoch ms), if one did: a recovery must not send another. */
  readonly fallbackAt?: number;
}

/**
 * The durable record of what customers sent and whether they were answered, so that a crash
 * loses no message (it is answered at the next start) and a platform's redelivery after a
 * restart is not answered twice.
 */
export interface InboundJournal {
  /**
   * Writes the message to disk (fsync'd) and resolves once it is durable: only then may the
   * platform be told it was received. `duplicate` when the journal already holds it (it then
   * resolves once the first copy is durable). `elsewhere` when the journal is shared by several
   * instances and the message is answered by the one that holds its conversation (not this one).
   */
  record(message: IncomingMessage): Promise<'new' | 'duplicate' | 'elsewhere'>;
  /** Notes that the fallback went out for these messages (they stay unanswered). */
  markFallback(refs: readonly MessageRef[], at: number): Promise<void>;
  /**
   * Closes these messages: their real answer was delivered (`how` is the reply's kind), or
   * nothing more is owed (`handed_off`, `expired`…).
   */
  markAnswered(refs: readonly MessageRef[], at: number, how: string): Promise<void>;
  /** True when the journal holds the message, answered or not. */
  has(ref: MessageRef): boolean;
  /** Messages recorded and not answered, oldest first: what a start must answer. */
  unanswered(): UnansweredEntry[];
  /** Resolves once everything written so far is on disk. */
  flush(): Promise<void>;
  /** Rewrites the journal without answered entries older than `keepAnsweredMs`. */
  compact(): Promise<void>;
  /** Flushes and releases the file; later writes fail. */
  close(): Promise<void>;
}
