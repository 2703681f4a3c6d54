import { pseudonym, type Logger } from '../infra/logger.js';
import type { Metrics, ReplyKind } from '../infra/metrics.js';
import type { ChatEntry, FallbackReason, Responder } from './responder.js';
import type { HistoryStore } from '../core/history.js';
import type { ReplyTexts } from './texts.js';
import type { ConversationObserver } from './observer.js';
import type { Channel } from './channel.js';
import type { IncomingMessage } from './message.js';
import { ConversationMemory } from './memory.js';
import { ReplyOutbox, type Owed } from './outbox.js';
import { classifyFailure, Turn } from './turn.js';

/** What every conversation shares: the clients and the timing policy. */
export interface ConversationContext {
  readonly responder: Responder;
  readonly history: HistoryStore;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly texts: ReplyTexts;
  readonly replyDeadlineMs: number;
  readonly lateAnswerMs: number;
  readonly typingRefreshMs: number;
  readonly maxPromptChars: number;
  readonly historyLimit: number;
  readonly now: () => number;
  /**
   * A confident answer straight from the shop's data (prices, delivery fees, hours), used
   * when the responder failed for good; `null` when unsure.
   */
  readonly quickAnswer?: (text: string) => string | null;
  readonly observer?: ConversationObserver;
  /** True once shutdown began: answers are no longer awaited past the reply deadline. */
  readonly draining: () => boolean;
}

/** How a message taken back from the journal at start-up differs from a new one. */
export interface Resumed {
  /** When it was taken back (epoch ms): its turn gets a full answer window from then. */
  readonly resumedAt: number;
  /** When its fallback went out before the restart, if it did: no second one. */
  readonly fallbackAt?: number;
}

/** A customer message the bot owes an answer to. */
interface Waiting extends Owed {
  readonly message: IncomingMessage;
  readonly prompt: string;
  readonly resumedAt?: number;
  readonly deadlineTimer: ReturnType<typeof setTimeout>;
  fallbackSent: boolean;
  /** The turn covering it is over: answered, or given up. */
  done: boolean;
}

/**
 * One customer's conversation on one channel. Messages are answered in order, one turn at a
 * time; messages that arrive during a turn are answered together by the next one. Whatever
 * happens, every message gets the real answer or the fallback by its deadline.
 */
export class Conversation {
  private readonly queue: Waiting[] = [];
  private inTurn: Waiting[] = [];
  /**
   * Messages whose turn failed while the customer had already written again: the next turn
   * sees them in the history, so its reply answers them too.
   */
  private carried: Waiting[] = [];
  private turn: Turn | undefined;
  private running: Promise<void> | undefined;
  private readonly outbox: ReplyOutbox;
  private readonly memory: ConversationMemory;
  /** How logs name this conversation: never the chat id itself (on WhatsApp it is a phone number). */
  private readonly logId: string;

  constructor(
    readonly key: string,
    channel: Channel,
    private readonly chatId: string,
    private readonly context: ConversationContext,
  ) {
    this.logId = `${channel.name}:${pseudonym(chatId)}`;
    this.outbox = new ReplyOutbox(channel, chatId, this.logId, { ...context, owesAnswers: () => this.owesAnswers() });
    this.memory = new ConversationMemory(key, this.logId, context);
  }

  /** True when nothing is owed and nothing is being sent: the conversation can be forgotten. */
  get idle(): boolean {
    return this.queue.length === 0 && this.running === undefined;
  }

  /**
   * Takes a text message: typing at once, then an answer or the fallback by the deadline
   * (counted from `receivedAt`, so a message taken back after a restart may get it at once).
   */
  receive(message: IncomingMessage, channel: Channel, prompt: string, resumed?: Resumed): void {
    this.outbox.channel = channel;
    const delay = Math.max(0, message.receivedAt + this.context.replyDeadlineMs - this.context.now());
    const waiting: Waiting = {
      message,
      prompt,
      receivedAt: message.receivedAt,
      messageId: message.messageId,
      fallbackSent: resumed?.fallbackAt !== undefined,
      ...(resumed && { resumedAt: resumed.resumedAt }),
      ...(resumed?.fallbackAt !== undefined && { firstResponseAt: resumed.fallbackAt }),
      done: false,
      deadlineTimer: setTimeout(() => this.onDeadline(waiting), delay),
    };
    this.queue.push(waiting);
    this.outbox.startTyping(message.receivedAt);
    this.running ??= this.work();
  }

  /** Sends a reply that needs no thinking (e.g. "I can only read text") to `messages`, in order with the rest. */
  replyAtOnce(messages: readonly IncomingMessage[], channel: Channel, text: string, kind: ReplyKind): void {
    this.outbox.channel = channel;
    void this.outbox.send(text, kind, messages.map((message) => ({ receivedAt: message.receivedAt, messageId: message.messageId })));
  }

  /** Resolves when every owed reply is sent (or given up) and nothing is left to send. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
    await this.outbox.idle;
  }

  /** Shutdown: cut the late-answer wait of the turn in flight short. */
  hurry(): void {
    this.turn?.giveUpBy(this.turn.replyBy);
  }

  private async work(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        this.inTurn = this.queue.splice(0);
        await this.runTurn(this.inTurn);
        this.inTurn = [];
      }
    } finally {
      this.running = undefined;
      this.outbox.stopTyping();
    }
  }

  private async runTurn(batch: Waiting[]): Promise<void> {
    const { context } = this;
    const replyBy = batch[0]!.message.receivedAt + context.replyDeadlineMs;
    // A message taken back after a restart is long past its deadline: it gets a fresh window.
    const answerBy = Math.max(replyBy, ...batch.map((w) => (w.resumedAt ?? 0) + context.replyDeadlineMs));
    const giveUpAt = context.draining() ? replyBy : answerBy + context.lateAnswerMs;
    const turn = new Turn(replyBy, giveUpAt, context.now);
    this.turn = turn;
    const started = context.now();
    let outcome: 'answer' | 'late_answer' | 'catalogue_answer' | 'fallback_only' | 'unavailable' = 'fallback_only';
    let reason: FallbackReason | undefined;
    try {
      const history = await this.memory.append(await this.newEntries(batch));
      const reply = await context.responder.reply({
        conversationKey: this.key,
        customer: { channel: this.outbox.channel.name, chatId: this.chatId, ...(batch[0]!.message.from.name && { name: batch[0]!.message.from.name }) },
        history,
        signal: turn.signal,
        replyBy,
        giveUpAt: turn.giveUpAt,
        onSetback: (setback) => {
          turn.problem = setback;
          if (batch.some((w) => !w.fallbackSent)) this.sendFallback(setback);
        },
        reportProblem: (problem) => {
          turn.problem = problem;
        },
      });
      turn.signal.throwIfAborted();
      context.metrics.modelLatency.labels({ outcome: 'ok' }).observe((context.now() - started) / 1000);
      outcome = batch.some((w) => w.fallbackSent) ? 'late_answer' : 'answer';
      for (const waiting of batch) waiting.done = true;
      const answered = [...this.carried.splice(0), ...batch];
      await this.outbox.send(reply.text, outcome, answered, { photos: reply.photos, modelLatencyMs: context.now() - started });
      await this.memory.append([{ role: 'assistant', content: reply.text, at: context.now() }]);
    } catch (error) {
      context.metrics.modelLatency.labels({ outcome: 'error' }).observe((context.now() - started) / 1000);
      const failure = classifyFailure(error, turn.signal);
      reason = failure === 'timeout' ? (turn.problem ?? failure) : failure;
      const log = reason === 'internal' ? context.logger.error : context.logger.warn;
      log.call(context.logger, { err: error, conversation: this.logId, reason }, 'no answer for this turn');
      if (await this.answerFromShopData(batch)) {
        outcome = 'catalogue_answer';
        return;
      }
      if (batch.some((w) => !w.fallbackSent)) this.sendFallback(reason);
      for (const waiting of batch) waiting.done = true;
      // Someone who wrote again is answered by the next turn, and a shutdown leaves the
      // conversation to the next start: only otherwise is there nothing more to hope for.
      if (this.queue.length === 0 && !context.draining()) {
        outcome = 'unavailable';
        void this.outbox.send(context.texts.unavailable, 'unavailable', [...this.carried.splice(0), ...batch]);
      } else {
        this.carried.push(...batch);
      }
      await this.outbox.idle;
    } finally {
      turn.dispose();
      this.turn = undefined;
      for (const waiting of batch) clearTimeout(waiting.deadlineTimer);
      this.logTurn(batch, outcome, started, reason);
    }
  }

  private onDeadline(waiting: Waiting): void {
    if (waiting.fallbackSent || waiting.done || waiting.firstResponseAt !== undefined) return;
    const reason = this.inTurn.includes(waiting) ? (this.turn?.problem ?? 'timeout') : 'timeout';
    this.sendFallback(reason);
  }

  /** One fallback covers every message received before it that has had no reply yet. */
  private sendFallback(reason: FallbackReason): void {
    const covered = [...this.inTurn, ...this.queue].filter((w) => !w.fallbackSent && w.firstResponseAt === undefined);
    if (covered.length === 0) return;
    for (const waiting of covered) {
      waiting.fallbackSent = true;
      clearTimeout(waiting.deadlineTimer);
    }
    this.context.metrics.fallbacks.inc({ channel: this.outbox.channel.name, reason });
    void this.outbox.send(this.context.texts.fallback, 'fallback', covered, { reason });
  }

  /**
   * The batch as history entries, less those already remembered: a message taken back after
   * a restart may have reached the history before the crash.
   */
  private async newEntries(batch: readonly Waiting[]): Promise<ChatEntry[]> {
    const entries = batch.map((w): ChatEntry => ({ role: 'user', content: w.prompt, at: w.message.receivedAt }));
    if (batch.every((w) => w.resumedAt === undefined)) return entries;
    const known = await this.memory.append([]);
    return entries.filter((entry) => !known.some((k) => k.role === 'user' && k.at === entry.at && k.content === entry.content));
  }

  /**
   * When the responder has failed for good, a question the shop's data answers with
   * confidence (a price, a delivery fee, the hours) gets that answer instead of the fallback
   * or the apology. Only then: while the model is merely slow, its answer is awaited, since
   * the customer may be in the middle of an order the catalogue knows nothing about. Only a
   * turn with a single question qualifies, or an earlier one would go unanswered.
   */
  private async answerFromShopData(batch: Waiting[]): Promise<boolean> {
    const [only] = batch;
    if (batch.length !== 1 || !only || this.carried.length > 0) return false;
    const quick = this.quickAnswerOf(only.prompt);
    if (!quick) return false;
    only.done = true;
    await this.outbox.send(quick, 'catalogue_answer', [only]);
    void this.memory.append([{ role: 'assistant', content: quick, at: this.context.now() }]);
    return true;
  }

  private quickAnswerOf(prompt: string): string | null {
    try {
      return this.context.quickAnswer?.(prompt) ?? null;
    } catch (error) {
      this.context.logger.error({ err: error, conversation: this.logId }, 'quick answer failed');
      return null;
    }
  }

  private owesAnswers(): boolean {
    return this.queue.length > 0 || this.inTurn.some((waiting) => !waiting.done);
  }

  private logTurn(
    batch: readonly Waiting[],
    outcome: string,
    started: number,
    reason: FallbackReason | undefined,
  ): void {
    const { logger, now } = this.context;
    for (const waiting of batch) {
      const { message } = waiting;
      logger.info(
        {
          chat: this.logId,
          message: pseudonym(message.messageId),
          firstResponseMs: waiting.firstResponseAt === undefined ? null : waiting.firstResponseAt - message.receivedAt,
          turnMs: now() - started,
          outcome,
          ...(reason && { reason }),
        },
        'message handled',
      );
    }
  }
}
