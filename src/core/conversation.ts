import { pseudonym, type Logger } from '../infra/logger.js';
import type { Metrics } from '../infra/metrics.js';
import type { Channel, LinkButton } from './channel.js';
import type { Deadlines } from './deadlines.js';
import type { HistoryStore } from './history.js';
import { ConversationMemory } from './memory.js';
import type { IncomingMessage } from './message.js';
import type { ReplyEvent, ReplyKind } from './observer.js';
import { Outbox } from './outbox.js';
import { isSpoken, untilAborted, type MessageReader } from './reader.js';
import { Readings } from './readings.js';
import type { ChatEntry, FallbackReason, Reply, Responder } from './responder.js';
import type { ReplyTexts } from './texts.js';
import type { Customer } from './tools.js';
import { classifyFailure, Turn, type Waiting } from './turn.js';

/** What the shop can still say once the model has failed for good (see {@link ConversationContext.lastResort}). */
export interface LastResortRequest {
  readonly conversationKey: string;
  readonly customer: Customer;
  /** The customer's messages left without an answer, oldest first. */
  readonly texts: readonly string[];
  /** The remembered conversation, ending with those messages. */
  readonly history: readonly ChatEntry[];
}

/** What every conversation shares: the clients and the deadlines. */
export interface ConversationContext {
  readonly responder: Responder;
  readonly history: HistoryStore;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly texts: ReplyTexts;
  readonly deadlines: Deadlines;
  readonly historyLimit: number;
  readonly now: () => number;
  /**
   * The shop's own answer when the responder failed for good (a price, a delivery fee, an
   * order in progress), or `null`: then the customer gets the honest `unavailable` line.
   */
  readonly lastResort?: (request: LastResortRequest) => Promise<Reply | null>;
  /** Reads voice notes into words (`EngineOptions.read`). */
  readonly read?: MessageReader;
  /** Every delivered message, in order: the journal marks and the records. */
  readonly delivered: (event: ReplyEvent) => void;
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

/**
 * One customer's conversation on one channel. Messages are answered in order, one turn at a
 * time; messages that arrive while a turn runs are answered together by the next one. A
 * message that arrives once the fallback went out does not queue behind the call that is
 * failing the customer: it supersedes it, and a fresh turn answers every message still owed
 * at once. Whatever happens, every message gets the real answer or the fallback by its
 * deadline, and everything the customer hears leaves through one ordered {@link Outbox}.
 */
export class Conversation {
  /** The turn running now. */
  private current: Turn | undefined;
  /** Messages that arrived while `current` runs, before its fallback: answered next. */
  private next: Turn | undefined;
  private running: Promise<void> | undefined;
  /** Voice notes being read (transcribed) since they arrived. */
  private readonly readings: Readings | undefined;
  private readonly outbox: Outbox;
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
    this.outbox = new Outbox(channel, chatId, this.logId, {
      ...context,
      typingRefreshMs: context.deadlines.typingRefreshMs,
      owesAnswers: () => this.owesAnswers(),
    });
    this.memory = new ConversationMemory(key, this.logId, context);
    this.readings = context.read && new Readings(context.read, { now: context.now, lateAnswerMs: context.deadlines.lateAnswerMs });
  }

  /** True when nothing is owed and nothing is being sent: the conversation can be forgotten. */
  get idle(): boolean {
    return this.current === undefined && this.next === undefined;
  }

  /**
   * Takes a text message: typing at once (unless `typingShown`: the engine sent it on receipt),
   * then an answer or the fallback by the deadline (counted from `receivedAt`, so a message
   * taken back after a restart may get it at once).
   */
  receive(message: IncomingMessage, channel: Channel, prompt: string, resumed?: Resumed, typingShown = false): void {
    this.outbox.channel = channel;
    const waiting: Waiting = {
      message,
      prompt,
      messageId: message.messageId,
      receivedAt: message.receivedAt,
      replyBy: message.receivedAt + this.context.deadlines.replyMs,
      openedAt: resumed?.resumedAt ?? message.receivedAt,
      covered: resumed?.fallbackAt !== undefined,
      closed: false,
      remembered: false,
      ...(resumed?.fallbackAt !== undefined && { firstResponseAt: resumed.fallbackAt }),
    };
    this.outbox.startTyping(message.receivedAt, typingShown);
    if (prompt === '' && isSpoken(message)) this.readings?.start(waiting, channel);
    const current = this.current;
    if (!current) {
      this.begin(this.turnOf([waiting]));
    } else if (current.fallbackSent && !current.answered && !this.context.draining()) {
      // The customer wrote again after hearing "un petit instant": answer now, all at once.
      const owed = [...current.messages.filter((w) => !w.closed), ...(this.next?.messages ?? []), waiting];
      this.next?.dispose();
      this.next = undefined;
      current.supersede();
      this.context.logger.info({ conversation: this.logId, messages: owed.length }, 'customer wrote again after the fallback: a fresh turn answers');
      this.begin(this.turnOf(owed));
    } else if (this.next) {
      this.next.add(waiting);
    } else {
      this.next = this.turnOf([waiting]);
    }
  }

  /** Sends a reply that needs no thinking (e.g. "I can only read text") to `messages`, in order with the rest. */
  replyAtOnce(messages: readonly IncomingMessage[], channel: Channel, text: string, kind: ReplyKind): Promise<boolean> {
    this.outbox.channel = channel;
    return this.outbox.send({ text, kind, covers: messages.map((m) => ({ receivedAt: m.receivedAt, messageId: m.messageId })) });
  }

  /** Sends a message that answers nothing in particular (the owner's words, a handoff line, a guard's notice). */
  say(text: string, kind: ReplyKind, channel?: Channel, link?: LinkButton): Promise<boolean> {
    if (channel) this.outbox.channel = channel;
    return this.outbox.send({ text, kind, ...(link && { link }) });
  }

  /** Resolves when every owed reply is sent (or given up) and nothing is left to send. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
    await this.outbox.idle;
  }

  /** Shutdown: cut the late-answer wait of the turn in flight short. */
  hurry(): void {
    this.current?.hurry();
    this.readings?.hurry();
  }

  /** Waits for the turn's voice notes to be read; one that cannot be heard gets its refusal now and leaves the turn. */
  private async hear(turn: Turn, readings: Readings): Promise<void> {
    const refused = await readings.hear(turn.messages, turn.signal);
    for (const { waiting, refusal } of refused) {
      waiting.closed = true;
      waiting.covered = true;
      turn.messages.splice(turn.messages.indexOf(waiting), 1);
      void this.outbox.send({ text: refusal, kind: 'unsupported', covers: [waiting] });
      this.context.logger.info({ chat: this.logId, message: pseudonym(waiting.message.messageId), outcome: 'refused' }, 'message handled');
    }
    if (refused.length > 0) turn.arm();
  }

  private turnOf(messages: Waiting[]): Turn {
    return new Turn(messages, {
      now: this.context.now,
      lateAnswerMs: this.context.deadlines.lateAnswerMs,
      fallbackDue: (turn, reason) => this.sendFallback(turn, reason),
    });
  }

  private begin(turn: Turn): void {
    this.current = turn;
    turn.begin(this.context.draining());
    const run = this.run(turn).finally(() => {
      if (this.current !== turn) return; // superseded: the newer turn carries on
      this.current = undefined;
      const next = this.next;
      this.next = undefined;
      if (next) this.begin(next);
      else this.outbox.stopTyping();
    });
    this.running = run;
    void run.finally(() => {
      if (this.running === run) this.running = undefined;
    });
  }

  private async run(turn: Turn): Promise<void> {
    const { context } = this;
    const started = context.now();
    let outcome = 'fallback_only';
    let reason: FallbackReason | undefined;
    try {
      if (this.readings) await this.hear(turn, this.readings);
      if (turn.messages.length === 0) {
        outcome = 'refused';
        return;
      }
      const history = await this.memory.append(this.newEntries(turn.messages));
      const first = turn.messages[0]!.message;
      // A responder that ignores its signal must not hold the turn past its last moment.
      const reply = await untilAborted(context.responder.reply({
        conversationKey: this.key,
        customer: this.customerOf(first),
        history,
        signal: turn.signal,
        replyBy: turn.replyBy,
        giveUpAt: turn.giveUpAt,
        report: turn.report,
      }), turn.signal);
      turn.signal.throwIfAborted();
      context.metrics.modelLatency.labels({ outcome: 'ok' }).observe((context.now() - started) / 1000);
      outcome = turn.fallbackSent ? 'late_answer' : 'answer';
      this.close(turn);
      const kind = outcome as ReplyKind;
      await this.outbox.send({ text: reply.text, kind, covers: turn.messages, photos: reply.photos, buttons: reply.buttons, modelLatencyMs: context.now() - started, signal: turn.obsoleteSignal });
      void this.memory.append([{ role: 'assistant', content: reply.text, at: context.now() }]);
    } catch (error) {
      if (turn.superseded) {
        outcome = 'superseded';
        return;
      }
      context.metrics.modelLatency.labels({ outcome: 'error' }).observe((context.now() - started) / 1000);
      const failure = classifyFailure(error, turn.signal);
      reason = failure === 'timeout' ? (turn.problem ?? failure) : failure;
      const log = reason === 'internal' ? context.logger.error : context.logger.warn;
      log.call(context.logger, { err: error, conversation: this.logId, reason }, 'no answer for this turn');
      outcome = await this.endWithoutAnswer(turn, reason);
    } finally {
      turn.dispose();
      turn.log(this.context.logger, this.logId, { outcome, turnMs: context.now() - started, ...(reason && { reason }) });
    }
  }

  /**
   * The turn is over without its answer. A customer who wrote again meanwhile is answered by
   * the next turn, which takes these messages along; a shutdown leaves them to the next start.
   * Otherwise one message, never two: the shop's own answer if it has one, else the honest
   * `unavailable` line (in place of the fallback if that had not gone out yet).
   */
  private async endWithoutAnswer(turn: Turn, reason: FallbackReason): Promise<string> {
    const owed = turn.messages.filter((w) => !w.closed);
    if (this.next) {
      this.next.add(...owed);
      return 'carried';
    }
    if (this.context.draining()) {
      if (owed.some((w) => !w.covered)) this.sendFallback(turn, reason);
      return 'fallback_only';
    }
    this.close(turn);
    const last = await this.lastResort(turn);
    const text = last?.text ?? this.context.texts.unavailable;
    const kind: ReplyKind = last ? 'catalogue_answer' : 'unavailable';
    await this.outbox.send({ text, kind, covers: owed, photos: last?.photos, buttons: last?.buttons });
    if (last) void this.memory.append([{ role: 'assistant', content: last.text, at: this.context.now() }]);
    return kind;
  }

  private async lastResort(turn: Turn): Promise<Reply | null> {
    if (!this.context.lastResort) return null;
    try {
      const history = await this.memory.append([]);
      return await this.context.lastResort({
        conversationKey: this.key,
        customer: this.customerOf(turn.messages[0]!.message),
        texts: turn.messages.map((w) => w.prompt),
        history,
      });
    } catch (error) {
      this.context.logger.error({ err: error, conversation: this.logId }, 'the shop could not answer on its own');
      return null;
    }
  }

  /** One fallback covers every message received before it that has heard nothing yet. */
  private sendFallback(turn: Turn, reason: FallbackReason): void {
    if (turn.superseded) return;
    const turns = [this.current, this.next].filter((t): t is Turn => t !== undefined);
    const covered = turns.flatMap((t) => t.messages).filter((w) => !w.covered && !w.closed);
    if (covered.length === 0) return;
    for (const waiting of covered) waiting.covered = true;
    for (const t of turns) t.arm();
    this.context.metrics.fallbacks.inc({ channel: this.outbox.channel.name, reason });
    void this.outbox.send({ text: this.context.texts.fallback, kind: 'fallback', covers: covered, reason });
  }

  private close(turn: Turn): void {
    for (const waiting of turn.messages) {
      waiting.closed = true;
      waiting.covered = true;
    }
    turn.dispose();
  }

  private customerOf(message: IncomingMessage): Customer {
    return { channel: this.outbox.channel.name, chatId: this.chatId, ...(message.from.name && { name: message.from.name }) };
  }

  /** The turn's messages not yet remembered (a superseded turn remembered its own), as history entries. */
  private newEntries(messages: Waiting[]): ChatEntry[] {
    const fresh = messages.filter((w) => !w.remembered);
    for (const waiting of fresh) waiting.remembered = true;
    return fresh.map((w): ChatEntry => ({ role: 'user', content: w.prompt, at: w.message.receivedAt, ...(w.message.action && { action: w.message.action }) }));
  }

  private owesAnswers(): boolean {
    return [this.current, this.next].some((turn) => turn?.messages.some((w) => !w.closed));
  }
}
