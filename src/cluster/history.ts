import type pg from 'pg';
import type { HistoryStore } from '../core/history.js';
import type { ChatEntry } from '../core/responder.js';
import { ClusterError } from './database.js';

/** Conversation memory in `cluster.history`: one row per conversation, read by whichever instance holds the chat. */
export function createClusterHistory(pool: pg.Pool): HistoryStore {
  return {
    async load(conversationKey) {
      try {
        const { rows } = await pool.query<{ entries: ChatEntry[] }>('SELECT entries FROM cluster.history WHERE conversation_key = $1', [conversationKey]);
        return rows[0]?.entries ?? [];
      } catch (error) {
        throw new ClusterError('history.load', { cause: error });
      }
    },
    async save(conversationKey, entries) {
      try {
        await pool.query(
          `INSERT INTO cluster.history (conversation_key, entries) VALUES ($1, $2)
           ON CONFLICT (conversation_key) DO UPDATE SET entries = EXCLUDED.entries, updated_at = now()`,
          [conversationKey, JSON.stringify(entries)],
        );
      } catch (error) {
        throw new ClusterError('history.save', { cause: error });
      }
    },
  };
}
