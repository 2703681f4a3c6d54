import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../infra/logger.js';
import { ClusterError } from './database.js';
import type { Records } from './records.js';

/** The notification channel on which instances tell each other that a visitor's chat changed. */
export const WEB_CHANNEL = 'akwaba_web';

/** One event of a visitor's chat, as the web chat keeps it (this side only needs its id and time). */
export interface WebChatEvent {
  readonly id: string;
  readonly at: number;
}

/** A visitor's chat as the web chat's `ChatLog` reads and writes it. */
export interface WebChatRecord<E extends WebChatEvent> {
  readonly events: readonly E[];
  readonly clientMessageIds: readonly string[];
}

/** The web chat's `ChatLog` on Postgres: every instance reads what any wrote. */
export interface ClusterChatLog<E extends WebChatEvent> {
  read(chatId: string): Promise<WebChatRecord<E> | undefined>;
  write(chatId: string, chat: WebChatRecord<E>): Promise<void>;
  sweep(): Promise<void>;
  flush(): Promise<void>;
}

/** What instances say about a visitor's chat (the web chat's `ChatSignal`). */
export type WebChatSignal = { readonly kind: 'events'; readonly chatId: string } | { readonly kind: 'typing'; readonly chatId: string; readonly visibleMs: number };

/** The web chat's `ChatHub` on `LISTEN/NOTIFY`. */
export interface ClusterChatHub {
  publish(signal: WebChatSignal): void;
  subscribe(listener: (signal: WebChatSignal) => void): void;
  /** A notification on {@link WEB_CHANNEL}, as the instance's listening session heard it. */
  heard(payload: string): void;
}

/** Options of {@link createClusterChatLog}. */
export interface ClusterChatLogOptions {
  /** Events read back per visitor (the web chat's `historyLimit`). Default 50. */
  readonly readLimit?: number;
  /** Events kept per visitor in the table; older ones are deleted as new ones come. Default 200. */
  readonly keep?: number;
  /** An event older than this is deleted by the sweep. Default 30 days. */
  readonly retentionMs?: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

const WRITE = `
  WITH added AS (
    INSERT INTO cluster.web_chat_events (chat_id, event_id, at, event)
    SELECT $1, e->>'id', (e->>'at')::bigint, e FROM jsonb_array_elements($2::jsonb) AS e
    ON CONFLICT (chat_id, event_id) DO NOTHING
    RETURNING 1
  )
  DELETE FROM cluster.web_chat_events
  WHERE chat_id = $1 AND seq <= (SELECT seq FROM cluster.web_chat_events WHERE chat_id = $1 ORDER BY seq DESC OFFSET $3 LIMIT 1)`;

const READ = `
  SELECT event FROM (
    SELECT seq, event FROM cluster.web_chat_events WHERE chat_id = $1 ORDER BY seq DESC LIMIT $2
  ) newest ORDER BY seq`;

/**
 * Visitors' chats in `cluster.web_chat_events`, one row per event. A write adds the events
 * the table lacks (those another instance wrote are already there), so two instances writing
 * one chat lose nothing. Writes of one chat run one after another, in order.
 */
export function createClusterChatLog<E extends WebChatEvent>(pool: pg.Pool, options: ClusterChatLogOptions): ClusterChatLog<E> {
  const readLimit = options.readLimit ?? 50;
  const keep = Math.max(options.keep ?? 200, readLimit);
  const now = options.now ?? Date.now;
  const writing = new Map<string, Promise<void>>();

  async function written(chatId: string): Promise<void> {
    for (let running = writing.get(chatId); running; running = writing.get(chatId)) await running;
  }

  return {
    async read(chatId) {
      await written(chatId);
      try {
        const { rows } = await pool.query<{ event: E & { clientMessageId?: unknown } }>(READ, [chatId, readLimit]);
        if (rows.length === 0) return undefined;
        const events = rows.map((row) => row.event);
        const clientMessageIds = events.flatMap((event) => (typeof event.clientMessageId === 'string' ? [event.clientMessageId] : []));
        return { events, clientMessageIds };
      } catch (error) {
        throw new ClusterError('web.read', { cause: error });
      }
    },
    write(chatId, chat) {
      const previous = writing.get(chatId) ?? Promise.resolve();
      const next = previous.then(async () => {
        try {
          await pool.query(WRITE, [chatId, JSON.stringify(chat.events), keep]);
        } catch (error) {
          options.logger.warn({ err: new ClusterError('web.write', { cause: error }) }, 'web chat: chat not saved (it stays in memory)');
        }
      });
      const tracked = next.finally(() => {
        if (writing.get(chatId) === tracked) writing.delete(chatId);
      });
      writing.set(chatId, tracked);
      return tracked;
    },
    async sweep() {
      const retentionMs = options.retentionMs ?? 30 * 24 * 60 * 60_000;
      try {
        await pool.query('DELETE FROM cluster.web_chat_events WHERE at < $1', [now() - retentionMs]);
      } catch (error) {
        throw new ClusterError('web.sweep', { cause: error });
      }
    },
    async flush() {
      while (writing.size > 0) await Promise.all([...writing.values()]);
    },
  };
}

/**
 * Signals between instances on `NOTIFY akwaba_web` (a few dozen bytes: the chat id and what
 * changed; the events themselves are read from the log). An instance ignores its own.
 */
export function createClusterChatHub(pool: pg.Pool, instance: number, logger: Logger): ClusterChatHub {
  const listeners: ((signal: WebChatSignal) => void)[] = [];
  return {
    publish(signal) {
      pool.query('SELECT pg_notify($1, $2)', [WEB_CHANNEL, JSON.stringify({ from: instance, ...signal })]).catch((error: unknown) => {
        logger.warn({ err: new ClusterError('web.notify', { cause: error }) }, 'web chat: other instances not told; their pages show it on reconnect');
      });
    },
    subscribe(listener) {
      listeners.push(listener);
    },
    heard(payload) {
      let parsed: { from?: unknown; kind?: unknown; chatId?: unknown; visibleMs?: unknown };
      try {
        parsed = JSON.parse(payload) as typeof parsed;
      } catch {
        return;
      }
      if (parsed.from === instance || typeof parsed.chatId !== 'string') return;
      const signal: WebChatSignal | undefined =
        parsed.kind === 'events'
          ? { kind: 'events', chatId: parsed.chatId }
          : parsed.kind === 'typing' && typeof parsed.visibleMs === 'number'
            ? { kind: 'typing', chatId: parsed.chatId, visibleMs: parsed.visibleMs }
            : undefined;
      if (signal) for (const listener of listeners) listener(signal);
    },
  };
}

/** The visitor-id secret every instance signs with: made by the first instance, read by all. */
export async function sharedVisitorSecret(records: Records): Promise<Buffer> {
  const made = randomBytes(32).toString('base64url');
  await records.putIfAbsent('web', 'visitor-secret', made);
  const secret = await records.get<string>('web', 'visitor-secret');
  if (typeof secret !== 'string') throw new ClusterError('web.secret', { cause: new Error('no visitor secret stored') });
  return Buffer.from(secret, 'base64url');
}
