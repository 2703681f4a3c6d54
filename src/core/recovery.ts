import type { Deadlines } from './deadlines.js';
import type { UnansweredEntry } from './journal.js';
import type { IncomingMessage } from './message.js';

/** What a start does with one conversation's messages left unanswered by the last run. */
export interface RecoveryPlan {
  readonly first: IncomingMessage;
  /** Older than `expireAfterMs`: closed without a word. */
  readonly expired: readonly IncomingMessage[];
  /** Older than `staleAfterMs`: one apology asks the customer to say it again. */
  readonly stale: readonly IncomingMessage[];
  /** Answered, with a fresh window, and no second fallback if one went out. */
  readonly resume: readonly UnansweredEntry[];
}

/** Sorts the journal's unanswered entries by conversation and by age, oldest first. */
export function planRecovery(entries: readonly UnansweredEntry[], at: number, deadlines: Pick<Deadlines, 'staleAfterMs' | 'expireAfterMs'>): RecoveryPlan[] {
  const byConversation = new Map<string, UnansweredEntry[]>();
  for (const entry of entries) {
    const key = `${entry.message.channel}:${entry.message.chatId}`;
    byConversation.set(key, [...(byConversation.get(key) ?? []), entry]);
  }
  return [...byConversation.values()].map((list) => {
    const age = (entry: UnansweredEntry) => at - entry.message.receivedAt;
    return {
      first: list[0]!.message,
      expired: list.filter((entry) => age(entry) > deadlines.expireAfterMs).map((entry) => entry.message),
      stale: list.filter((entry) => age(entry) > deadlines.staleAfterMs && age(entry) <= deadlines.expireAfterMs).map((entry) => entry.message),
      resume: list.filter((entry) => age(entry) <= deadlines.staleAfterMs),
    };
  });
}
