/**
 * Every deadline of the core in one place: how long a customer waits before the fallback, how
 * long the real answer is still delivered after it, and the timing of the lesser promises
 * (typing, recovery after a crash).
 */
export interface Deadlines {
  /** The longest a customer waits before hearing from us: the fallback goes out then (`REPLY_DEADLINE_MS`). */
  readonly replyMs: number;
  /** How long after the reply deadline the real answer is still awaited and delivered (`LATE_ANSWER_MS`). */
  readonly lateAnswerMs: number;
  /** How often "typing…" is shown again while the bot thinks (Telegram's lasts 5 s); a channel may ask for its own. */
  readonly typingRefreshMs: number;
  /** At start, a message left unanswered longer than this gets an apology instead of an answer (`JOURNAL_MAX_AGE_MS`). */
  readonly staleAfterMs: number;
  /** At start, a message left unanswered longer than this is given up without a word. */
  readonly expireAfterMs: number;
}

/** The defaults: the scenario's 8 s, then 45 s more for the late answer. */
export const DEFAULT_DEADLINES: Deadlines = {
  replyMs: 8000,
  lateAnswerMs: 45_000,
  typingRefreshMs: 4000,
  staleAfterMs: 10 * 60_000,
  expireAfterMs: 24 * 60 * 60_000,
};
