import type pg from 'pg';
import type { InboundJournal, MessageRef } from '../core/journal.js';
import type { IncomingMessage } from '../core/message.js';
import { ClusterError } from './database.js';
import type { ChatKey } from './instance.js';

/** How the shared journal hands a new message out. */
export interface ClusterJournalOptions {
  /** Called once a new message is durable: the chat goes to its owner (maybe this instance). */
  readonly route: (chat: ChatKey) => Promise<void>;
  /** Answered messages are kept this long to drop redeliveries (Telegram keeps updates 24 h). Default one day. */
  readonly keepAnsweredMs?: number;
  /** A platform payload bigger than this (as JSON) is not kept with the message. Default 16 KiB. */
  readonly maxRawBytes?: number;
  readonly now?: () => number;
}

/**
 * The inbound journal in Postgres (`cluster.journal`), shared by every instance: the same
 * message recorded twice, on any instance, is recorded once. A new message is never answered
 * by the engine that received it directly (`elsewhere`): it is routed to the instance that
 * holds its chat, which may be this one, so that each chat's messages are taken in order by
 * one conversation.
 *
 * `unanswered()` is empty: a starting instance takes nothing back by itself; the messages of a
 * dead instance are taken over by the sweep of the living ones.
 */
export function createClusterJournal(pool: pg.Pool, options: ClusterJournalOptions): InboundJournal {
  const keepAnsweredMs = options.keepAnsweredMs ?? 24 * 60 * 60 * 1000;
  const maxRawBytes = options.maxRawBytes ?? 16 * 1024;
  const now = options.now ?? Date.now;
  const pending = new Set<Promise<unknown>>();
  const recorded = new Set<string>();
  let closed = false;

  function track<T>(work: Promise<T>): Promise<T> {
    pending.add(work);
    void work.then(
      () => pending.delete(work),
      () => pending.delete(work),
    );
    return work;
  }

  async function run(operation: string, sql: string, params: unknown[]): Promise<pg.QueryResult> {
    if (closed) throw new ClusterError(operation, { cause: new Error('journal is closed') });
    try {
      return await track(pool.query(sql, params));
    } catch (error) {
      throw new ClusterError(operation, { cause: error });
    }
  }

  function mark(operation: string, refs: readonly MessageRef[], set: string, params: unknown[]): Promise<void> {
    if (refs.length === 0) return Promise.resolve();
    const sql = `UPDATE cluster.journal j SET ${set}
      FROM unnest($1::text[], $2::text[], $3::text[]) AS k(channel, chat_id, message_id)
      WHERE j.channel = k.channel AND j.chat_id = k.chat_id AND j.message_id = k.message_id`;
    const columns = [refs.map((ref) => ref.channel), refs.map((ref) => ref.chatId), refs.map((ref) => ref.messageId)];
    return run(operation, sql, [...columns, ...params]).then(() => undefined);
  }

  return {
    async record(message) {
      const { rowCount } = await run(
        'journal.record',
        `INSERT INTO cluster.journal (channel, chat_id, message_id, message, received_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING`,
        [message.channel, message.chatId, message.messageId, JSON.stringify(storable(message, maxRawBytes)), message.receivedAt],
      );
      if (rowCount === 0) {
        // A redelivery: the instance that took the first copy may have died before routing it.
        // Routing again is harmless (the holder takes each message once).
        const chat = { channel: message.channel, chatId: message.chatId };
        setImmediate(() => void track(options.route(chat)));
        return 'duplicate';
      }
      recorded.add(idOf(message));
      if (recorded.size > 10_000) recorded.delete(recorded.values().next().value as string);
      // Routed once the engine has heard `elsewhere` (after this tick): should the chat be this
      // instance's, the engine must not take the message for one it already saw.
      const chat = { channel: message.channel, chatId: message.chatId };
      setImmediate(() => void track(options.route(chat)));
      return 'elsewhere';
    },
    markFallback(refs, at) {
      return mark('journal.fallback', refs, 'fallback_at = coalesce(j.fallback_at, $4)', [at]);
    },
    markAnswered(refs, at, how) {
      return mark('journal.answered', refs, 'answered_at = coalesce(j.answered_at, $4), answered_how = coalesce(j.answered_how, $5), message = NULL', [at, how]);
    },
    has: (ref) => recorded.has(idOf(ref)),
    unanswered: () => [],
    async flush() {
      await Promise.allSettled([...pending]);
    },
    async compact() {
      await run('journal.compact', 'DELETE FROM cluster.journal WHERE answered_at < $1', [now() - keepAnsweredMs]);
    },
    async close() {
      await Promise.allSettled([...pending]);
      closed = true;
    },
  };
}

const idOf = (ref: MessageRef) => `${ref.channel}\u0000${ref.chatId}\u0000${ref.messageId}`;

/** The message as it is kept: the platform payload only when it is plain and small. */
function storable(message: IncomingMessage, maxRawBytes: number): IncomingMessage {
  let raw: string | undefined;
  try {
    raw = JSON.stringify(message.raw);
  } catch {
    raw = undefined;
  }
  return { ...message, raw: raw !== undefined && Buffer.byteLength(raw) <= maxRawBytes ? message.raw : null };
}
