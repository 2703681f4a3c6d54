import { pseudonym, type Logger } from '../infra/logger.js';
import type { IncomingMessage } from './message.js';
import type { Owed } from './outbox.js';
import { ResponderError, type FallbackReason, type Setback } from './responder.js';
import { DeadlineError } from './timing.js';

/** A customer message the bot owes an answer to, from the moment it is taken until it is answered. */
export interface Waiting extends Owed {
  readonly message: IncomingMessage;
  /** What the model is shown of it; a voice note's is empty until it is read (`Conversation.hear`). */
  prompt: string;
  /** When the customer must have heard from us (epoch ms): its fallback goes out then. */
  readonly replyBy: number;
  /** When its answer window opened: when it arrived, or when it was taken back after a restart. */
  readonly openedAt: number;
  /** A reply covering it (the fallback included) is on its way: no second fallback. */
  covered: boolean;
  /** Its real answer (or the last word on it) went out: nothing more is owed. */
  closed: boolean;
  /** It is in the conversation's memory. */
  remembered: boolean;
}

/** The abort reason of a turn whose customer wrote again after the fallback: a newer turn answers everything. */
export class SupersededError extends Error {
  override readonly name = 'SupersededError';
  readonly code = 'superseded';
  constructor() {
    super('the customer wrote again after the fallback; a newer turn answers');
  }
}

/** What a turn needs from the conversation it belongs to. */
export interface TurnContext {
  readonly now: () => number;
  /** How long the real answer is still awaited after a message's deadline. */
  readonly lateAnswerMs: number;
  /** A message of this turn reached its deadline with nothing sent, or a setback makes it miss it. */
  readonly fallbackDue: (turn: Turn, reason: FallbackReason) => void;
}

/**
 * One answer to one or more customer messages: its messages, their deadline (the fallback), the
 * last moment the answer is still delivered (`giveUpAt`, when its signal aborts), and what held
 * it up. A turn gathers the messages that arrive while the one before it runs, then runs once.
 */
export class Turn {
  readonly messages: Waiting[];
  /** What held the answer up last: the fallback's reason if the deadline passes. */
  problem: FallbackReason | undefined;
  private readonly work = new AbortController();
  private readonly obsolete = new AbortController();
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  private giveUpTimer: ReturnType<typeof setTimeout> | undefined;
  private lastMoment = Number.POSITIVE_INFINITY;

  constructor(
    messages: readonly Waiting[],
    private readonly context: TurnContext,
  ) {
    this.messages = [...messages].sort(byArrival);
    this.arm();
  }

  /** Aborted when the answer is no longer wanted (window over, superseded, shutdown). */
  get signal(): AbortSignal {
    return this.work.signal;
  }

  /** Aborted only when a newer turn took over: the answer, even if it comes, must not be sent. */
  get obsoleteSignal(): AbortSignal {
    return this.obsolete.signal;
  }

  get superseded(): boolean {
    return this.obsolete.signal.aborted;
  }

  /** The earliest deadline among the messages that have heard nothing yet (Infinity when all have). */
  get replyBy(): number {
    return Math.min(...this.messages.filter((w) => !w.covered).map((w) => w.replyBy));
  }

  /** The last moment the answer is still delivered: each message gets its full late window. */
  get giveUpAt(): number {
    return this.lastMoment;
  }

  /** True once any of its messages got the fallback (or any reply): a new message then takes over. */
  get fallbackSent(): boolean {
    return this.messages.some((w) => w.covered);
  }

  /** True once the real answer (or the last word) is decided: a new message then waits for the next turn. */
  get answered(): boolean {
    return this.messages.every((w) => w.closed);
  }

  /** Takes more messages (oldest first): those arriving while the turn before it runs, or carried from it. */
  add(...messages: Waiting[]): void {
    this.messages.push(...messages);
    this.messages.sort(byArrival);
    this.arm();
  }

  /** Starts the clock of the last moment; `hurried` (shutdown) cuts the late window off. */
  begin(hurried: boolean): void {
    const opened = Math.max(...this.messages.map((w) => w.replyBy + (w.openedAt - w.receivedAt)));
    this.lastMoment = hurried ? Math.min(...this.messages.map((w) => w.replyBy)) : opened + this.context.lateAnswerMs;
    this.scheduleGiveUp();
  }

  /** Shutdown: stop waiting for the late answer; what is due by its deadline is still awaited. */
  hurry(): void {
    const moment = Math.min(...this.messages.map((w) => w.replyBy));
    if (moment >= this.lastMoment) return;
    this.lastMoment = moment;
    this.scheduleGiveUp();
  }

  /** A responder says what holds the answer up; a wait past the deadline brings the fallback now. */
  readonly report = (setback: Setback): void => {
    if (this.work.signal.aborted) return;
    this.problem = setback.reason;
    if (setback.until !== undefined && setback.until >= this.replyBy) this.context.fallbackDue(this, setback.reason);
  };

  /** The customer wrote again after the fallback: a newer turn answers everything. */
  supersede(): void {
    this.obsolete.abort(new SupersededError());
    this.work.abort(this.obsolete.signal.reason);
  }

  /** Re-arms the deadline of the earliest message that has heard nothing yet. */
  arm(): void {
    clearTimeout(this.deadlineTimer);
    const replyBy = this.replyBy;
    if (!Number.isFinite(replyBy)) return;
    this.deadlineTimer = setTimeout(
      () => this.context.fallbackDue(this, this.problem ?? 'timeout'),
      Math.max(0, replyBy - this.context.now()),
    );
  }

  /** One line per message: how long until the customer first heard from us, and how the turn ended. */
  log(logger: Logger, chat: string, how: { readonly outcome: string; readonly turnMs: number; readonly reason?: FallbackReason }): void {
    for (const waiting of this.messages) {
      const firstResponseMs = waiting.firstResponseAt === undefined ? null : waiting.firstResponseAt - waiting.receivedAt;
      logger.info({ chat, message: pseudonym(waiting.message.messageId), firstResponseMs, ...how }, 'message handled');
    }
  }

  /** Clears every timer; the messages are the conversation's to close. */
  dispose(): void {
    clearTimeout(this.deadlineTimer);
    clearTimeout(this.giveUpTimer);
  }

  private scheduleGiveUp(): void {
    clearTimeout(this.giveUpTimer);
    const moment = this.lastMoment;
    this.giveUpTimer = setTimeout(() => this.work.abort(new DeadlineError(moment)), Math.max(0, moment - this.context.now()));
  }
}

const byArrival = (a: Waiting, b: Waiting) => a.receivedAt - b.receivedAt;

/**
 * Names why a turn produced no answer: the responder says so itself, a passed deadline is a
 * timeout, and anything else is a bug of ours.
 */
export function classifyFailure(error: unknown, signal?: AbortSignal): FallbackReason {
  if (error instanceof ResponderError) return error.code;
  if (error instanceof DeadlineError || signal?.reason instanceof DeadlineError) return 'timeout';
  return 'internal';
}
