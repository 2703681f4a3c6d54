import type { ChatEntry } from './responder.js';

/** Where conversations are remembered between turns and across restarts. */
export interface HistoryStore {
  /** The conversation's recent entries, oldest first (empty for a new customer). */
  load(conversationKey: string): Promise<ChatEntry[]>;
  /** Replaces the remembered entries of a conversation. */
  save(conversationKey: string, entries: readonly ChatEntry[]): Promise<void>;
  /** Writes what `save` left waiting (a store that writes behind the replies); the core calls it when it drains. */
  flush?(): Promise<void>;
}
