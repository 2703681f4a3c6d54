import type pg from 'pg';
import type { UnansweredEntry } from '../core/journal.js';
import type { IncomingMessage } from '../core/message.js';
import { ClusterError } from './database.js';
import type { ChatKey } from './instance.js';

/** Who answers a chat after {@link ChatOwners.claim}. */
export interface Claim {
  /** The instance holding the chat's conversation now. */
  readonly owner: number;
  /** It just moved from a dead instance: the owner takes its open messages over with the new one. */
  readonly takenOver: boolean;
}

/**
 * Which instance answers which chat. A chat's conversation (its turns, deadlines, the
 * supersede rule) lives in one process, so every message of a chat goes to one instance; the
 * chat moves only when that instance's lock is gone (it died or stopped).
 */
export interface ChatOwners {
  /** The chat's live owner; a new chat, or one whose owner died, is given to a live instance first. */
  claim(chat: ChatKey): Promise<Claim>;
  /** This instance is shutting down: it keeps its chats until it exits but gets no new one. */
  leave(): Promise<void>;
  /**
   * Takes over up to `limit` chats with open messages whose owner is dead, or that have no
   * owner at all (their receiver died before claiming them); returns them.
   */
  sweep(limit?: number): Promise<ChatKey[]>;
  /** The open (unanswered) messages of these chats, oldest first. */
  open(chats: readonly ChatKey[]): Promise<UnansweredEntry[]>;
  /** The open messages of every chat this instance owns, oldest first (the safety net for a lost notification). */
  mine(): Promise<UnansweredEntry[]>;
}

// A new chat (or one whose owner died) goes to a live instance that is not leaving, picked by
// hashing the chat with each instance's id (rendezvous hashing): chats spread evenly whichever
// instance received them (one poller, a load balancer), and move little when instances come and go.
// Web chats too: the reply reaches the visitor's page on whichever instance holds it (akwaba_web).
const CLAIM = `
  WITH prior AS (SELECT instance_id FROM cluster.chats WHERE channel = $1 AND chat_id = $2),
  pick AS (
    SELECT coalesce((
      SELECT i.id FROM cluster.instances i
      WHERE i.id IN (SELECT cluster.live_instances()) AND NOT i.leaving
      ORDER BY md5($1 || ':' || $2 || ':' || i.id) LIMIT 1), $3::bigint) AS id
  )
  INSERT INTO cluster.chats AS c (channel, chat_id, instance_id) SELECT $1, $2, pick.id FROM pick
  ON CONFLICT (channel, chat_id) DO UPDATE SET instance_id = EXCLUDED.instance_id, since = now()
    WHERE c.instance_id <> EXCLUDED.instance_id AND c.instance_id NOT IN (SELECT cluster.live_instances())
  RETURNING (SELECT instance_id FROM prior) AS prior, c.instance_id AS owner`;

const SWEEP = `
  UPDATE cluster.chats c SET instance_id = $1, since = now()
  FROM (
    SELECT o.channel, o.chat_id FROM cluster.chats o
    WHERE o.instance_id <> $1 AND o.instance_id NOT IN (SELECT cluster.live_instances())
      AND EXISTS (SELECT 1 FROM cluster.journal j WHERE j.channel = o.channel AND j.chat_id = o.chat_id AND j.answered_at IS NULL)
    LIMIT $2 FOR UPDATE OF o SKIP LOCKED
  ) dead
  WHERE c.channel = dead.channel AND c.chat_id = dead.chat_id
  RETURNING c.channel, c.chat_id`;

// A chat with an open message and no holder at all: its receiver died between the journal
// write and the claim. Left alone for a moment (the receiver's own claim follows its write).
const ORPHANS = `
  INSERT INTO cluster.chats (channel, chat_id, instance_id)
  SELECT DISTINCT j.channel, j.chat_id, $1::bigint FROM cluster.journal j
  WHERE j.answered_at IS NULL AND j.received_at < $2
    AND NOT EXISTS (SELECT 1 FROM cluster.chats c WHERE c.channel = j.channel AND c.chat_id = j.chat_id)
  LIMIT $3
  ON CONFLICT DO NOTHING
  RETURNING channel, chat_id`;

const OPEN_COLUMNS = 'j.message, j.fallback_at';

/** How long an open message may have no holder before a sweep claims its chat. */
const ORPHAN_AFTER_MS = 1000;

/** The ownership table of `instance`, through `pool`. */
export function createChatOwners(pool: pg.Pool, instance: number, now: () => number = Date.now): ChatOwners {
  async function query<T extends pg.QueryResultRow>(operation: string, sql: string, params: unknown[]): Promise<T[]> {
    try {
      return (await pool.query<T>(sql, params)).rows;
    } catch (error) {
      throw new ClusterError(operation, { cause: error });
    }
  }

  return {
    async claim(chat) {
      const [claimed] = await query<{ prior: string | null; owner: string }>('chats.claim', CLAIM, [chat.channel, chat.chatId, instance]);
      if (claimed) return { owner: Number(claimed.owner), takenOver: claimed.prior !== null && claimed.prior !== claimed.owner };
      const rows = await query<{ instance_id: string }>('chats.owner', 'SELECT instance_id FROM cluster.chats WHERE channel = $1 AND chat_id = $2', [chat.channel, chat.chatId]);
      return { owner: Number(rows[0]?.instance_id ?? instance), takenOver: false };
    },
    async leave() {
      await query('chats.leave', 'UPDATE cluster.instances SET leaving = true WHERE id = $1', [instance]);
    },
    async sweep(limit = 100) {
      const dead = await query<{ channel: string; chat_id: string }>('chats.sweep', SWEEP, [instance, limit]);
      const orphans = await query<{ channel: string; chat_id: string }>('chats.orphans', ORPHANS, [instance, now() - ORPHAN_AFTER_MS, limit]);
      return [...dead, ...orphans].map((row) => ({ channel: row.channel, chatId: row.chat_id }));
    },
    async open(chats) {
      if (chats.length === 0) return [];
      const rows = await query<OpenRow>(
        'chats.open',
        `SELECT ${OPEN_COLUMNS} FROM cluster.journal j
         JOIN unnest($1::text[], $2::text[]) AS k(channel, chat_id) ON j.channel = k.channel AND j.chat_id = k.chat_id
         WHERE j.answered_at IS NULL ORDER BY j.received_at`,
        [chats.map((chat) => chat.channel), chats.map((chat) => chat.chatId)],
      );
      return rows.flatMap(toEntry);
    },
    async mine() {
      const rows = await query<OpenRow>(
        'chats.mine',
        `SELECT ${OPEN_COLUMNS} FROM cluster.journal j
         JOIN cluster.chats c ON c.channel = j.channel AND c.chat_id = j.chat_id
         WHERE j.answered_at IS NULL AND c.instance_id = $1 ORDER BY j.received_at`,
        [instance],
      );
      return rows.flatMap(toEntry);
    },
  };
}

interface OpenRow {
  readonly message: IncomingMessage | null;
  readonly fallback_at: string | null;
}

function toEntry(row: OpenRow): UnansweredEntry[] {
  if (!row.message) return [];
  return [{ message: row.message, ...(row.fallback_at !== null && { fallbackAt: Number(row.fallback_at) }) }];
}
