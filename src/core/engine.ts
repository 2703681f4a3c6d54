import { pseudonym, type Logger } from '../infra/logger.js';
import type { Metrics } from '../infra/metrics.js';
import type { Channel, LinkButton } from './channel.js';
import { Conversation, type ConversationContext, type Resumed } from './conversation.js';
import { DEFAULT_DEADLINES, type Deadlines } from './deadlines.js';
import type { HistoryStore } from './history.js';
import type { InboundJournal, MessageRef, UnansweredEntry } from './journal.js';
import type { IncomingMessage } from './message.js';
import type { ConversationObserver, ReplyEvent, ReplyKind } from './observer.js';
import type { Responder } from './responder.js';
import { isSpoken, type MessageReader } from './reader.js';
import { planRecovery } from './recovery.js';
import type { ReplyTexts } from './texts.js';

/** What a message left unanswered for too long gets at the next start, instead of an answer. */
export const STALE_APOLOGY =
  'Désolé pour l\'attente, votre message nous est bien parvenu. Pouvez-vous nous redire ce que vous cherchez ? 🙏';

/** The clients and the deadlines of the core. */
export interface EngineOptions {
  readonly responder: Responder;
  readonly history: HistoryStore;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly texts: ReplyTexts;
  /** Every deadline of the core; defaults: {@link DEFAULT_DEADLINES}. */
  readonly deadlines?: Partial<Deadlines>;
  /** Longer customer texts are cut to this many characters before the model sees them. */
  readonly maxPromptChars?: number;
  /** How many past entries of a conversation are remembered and shown to the model. */
  readonly historyLimit?: number;
  /** How many message ids are remembered to drop a platform's redeliveries. */
  readonly dedupeWindow?: number;
  readonly now?: () => number;
  /** The shop's own answer once the responder has failed for good (see {@link ConversationContext.lastResort}). */
  readonly lastResort?: ConversationContext['lastResort'];
  /** Sees every message taken and every message delivered (records, dashboard, handoff). */
  readonly observer?: ConversationObserver;
  /**
   * True for a conversation a person has taken over: its messages are recorded (observer) but
   * the bot does not answer them.
   */
  readonly isHandedOff?: (channel: string, chatId: string) => boolean;
  /**
   * Where every message is written (fsync'd) before `receive` resolves, and every reply is
   * noted: a crash loses no message and a redelivery after a restart is not answered again.
   * Without it, messages live in memory only.
   */
  readonly journal?: InboundJournal;
  /** Default {@link STALE_APOLOGY}. */
  readonly staleApology?: string;
  /**
   * Turns a voice note or audio file into words (or a polite refusal), from the moment it
   * arrives; its turn waits for it under its deadline. Without it, they get the "I read text
   * only" line at once.
   */
  readonly read?: MessageReader;
}

/** What {@link Engine.recover} did with the messages left unanswered by the last run. */
export interface RecoverySummary {
  /** Handed to their conversation again, to be answered. */
  readonly resumed: number;
  /** Too old to answer: the customer was asked to write again. */
  readonly apologised: number;
  /** Older than `expireAfterMs`: dropped. */
  readonly expired: number;
  /** Their channel is not running: left for a later start. */
  readonly waiting: number;
}

/** The core: give it every customer message; it answers each one, or sends the fallback in time. */
export interface Engine {
  /**
   * Hands a message over; never throws, and the answer is never awaited. The promise resolves
   * once the message is durably taken (journalled), never rejects: a channel acknowledges the
   * message to its platform only then.
   */
  readonly receive: (message: IncomingMessage, channel: Channel) => Promise<void>;
  /**
   * Start-up, before the channels start: answers what the journal holds unanswered from the
   * last run (with its original `receivedAt`, and no second fallback if one went out), or
   * apologises for a message too old to answer. Each message once.
   */
  recover(channelOf: (name: string) => Channel | undefined): RecoverySummary;
  /**
   * Takes over journalled messages this engine did not receive itself (shared mode: a chat whose
   * instance died, or a message another instance received), as a start takes back its own:
   * original `receivedAt` (the fallback goes out at once if its deadline passed), no second
   * fallback, each message once however often it is handed over.
   */
  adopt(entries: readonly UnansweredEntry[], channelOf: (name: string) => Channel | undefined): RecoverySummary;
  /**
   * Shutdown: stop waiting for late answers and resolve once every owed reply was sent (the
   * real answer if it comes by the deadline, the fallback otherwise).
   */
  drain(): Promise<void>;
  /**
   * Sends a message that answers nothing in particular (the owner's words, a handoff line, a
   * guard's notice) through the chat's one way out, in order with its answers, noted like
   * them, with a button under it when `link` is given. Resolves `true` once delivered; never rejects.
   */
  say(channel: Channel, chatId: string, text: string, kind: ReplyKind, link?: LinkButton): Promise<boolean>;
  /** Conversations with work in flight. */
  activeConversations(): number;
}

/**
 * Creates the core.
 *
 * @example
 * const engine = createEngine({ responder, history, metrics, logger, texts, deadlines: { replyMs: 8000, lateAnswerMs: 45_000 } });
 * await telegram.start(engine.receive);
 */
export function createEngine(options: EngineOptions): Engine {
  let draining = false;
  const conversations = new Map<string, Conversation>();
  const seen = new Set<string>();
  const dedupeWindow = options.dedupeWindow ?? 10_000;
  const maxPromptChars = options.maxPromptChars ?? 4000;
  const { journal, logger } = options;
  const now = options.now ?? Date.now;
  const deadlines: Deadlines = { ...DEFAULT_DEADLINES, ...options.deadlines };
  const context: ConversationContext = {
    responder: options.responder,
    history: options.history,
    metrics: options.metrics,
    logger: options.logger,
    texts: options.texts,
    deadlines,
    historyLimit: options.historyLimit ?? 30,
    now,
    draining: () => draining,
    lastResort: options.lastResort,
    read: options.read,
    delivered: (event) => noteDelivered(event),
  };

  /** Every delivered message: its journal marks first (a fallback marks, a real answer closes), then the observer. */
  function noteDelivered(event: ReplyEvent): void {
    if (journal && event.messageIds.length > 0) {
      const refs = event.messageIds.map((messageId) => ({ channel: event.channel, chatId: event.chatId, messageId }));
      const noted = event.kind === 'fallback' ? journal.markFallback(refs, event.at) : journal.markAnswered(refs, event.at, event.kind);
      noted.catch((error: unknown) => logger.error({ err: error, kind: event.kind }, 'journal: reply not noted'));
    }
    try {
      options.observer?.replySent?.(event);
    } catch (error) {
      logger.error({ err: error }, 'reply observer failed');
    }
  }

  /** Journal writes under way, by message: a copy arriving meanwhile is acknowledged only once the first is durable. */
  const writing = new Map<string, Promise<void>>();
  const idOf = (message: IncomingMessage) => `${message.channel}\u0000${message.chatId}\u0000${message.messageId}`;

  /** Drops a redelivered message; remembers the newest ids only. */
  function isDuplicate(message: IncomingMessage): boolean {
    const id = idOf(message);
    if (seen.has(id)) return true;
    seen.add(id);
    if (seen.size > dedupeWindow) seen.delete(seen.values().next().value as string);
    return false;
  }

  function conversationOf(message: Pick<IncomingMessage, 'channel' | 'chatId'>, channel: Channel): Conversation {
    const key = `${message.channel}:${message.chatId}`;
    let conversation = conversations.get(key);
    if (!conversation) {
      conversation = new Conversation(key, channel, message.chatId, context);
      conversations.set(key, conversation);
    }
    return conversation;
  }

  function forgetWhenIdle(conversation: Conversation): void {
    void conversation.settled().then(() => {
      if (conversation.idle && conversations.get(conversation.key) === conversation) {
        conversations.delete(conversation.key);
      }
    });
  }

  const chatOf = (message: IncomingMessage) => `${message.channel}:${pseudonym(message.chatId)}`;

  /**
   * "Typing…" on receipt, before the journal write: the customer's sign of life never waits for
   * the disk, nor for the rest of a batch of updates. Not for a conversation a person has taken.
   */
  function typeAtOnce(message: IncomingMessage, channel: Channel): boolean {
    if (!channel.sendTyping || options.isHandedOff?.(message.channel, message.chatId)) return false;
    channel.sendTyping(message.chatId).catch((error: unknown) => logger.debug({ err: error, chat: chatOf(message) }, 'typing indicator not sent'));
    options.metrics.typingDelay.observe({ channel: message.channel }, Math.max(0, now() - message.receivedAt) / 1000);
    return true;
  }

  /** Starts answering a message that is (as far as it can be) durably taken. */
  function take(message: IncomingMessage, channel: Channel, resumed?: Resumed, typingShown = false): void {
    try {
      try {
        options.observer?.messageReceived?.(message);
      } catch (error) {
        logger.error({ err: error }, 'message observer failed');
      }
      if (options.isHandedOff?.(message.channel, message.chatId)) {
        closeQuietly([message], 'handed_off');
        return;
      }
      const conversation = conversationOf(message, channel);
      // A voice note has no words yet: they are read (transcribed) for its turn.
      const prompt = options.read && isSpoken(message) ? '' : promptOf(message, maxPromptChars);
      if (prompt === undefined) {
        void conversation.replyAtOnce([message], channel, options.texts.unsupported(message.kind), 'unsupported');
      } else {
        conversation.receive(message, channel, prompt, resumed, typingShown);
      }
      forgetWhenIdle(conversation);
    } catch (error) {
      // Only a bug gets here; the channel must keep running whatever the core does.
      logger.error({ err: error, chat: chatOf(message) }, 'message not taken');
    }
  }

  function closeQuietly(refs: readonly MessageRef[], how: string): void {
    journal?.markAnswered(refs, now(), how).catch((error: unknown) => logger.error({ err: error }, 'journal: not noted'));
  }

  function receive(message: IncomingMessage, channel: Channel): Promise<void> {
    try {
      options.metrics.messagesReceived.inc({ channel: message.channel, kind: message.kind });
      if (isDuplicate(message)) {
        options.metrics.duplicatesDropped.inc({ channel: message.channel });
        return writing.get(idOf(message)) ?? Promise.resolve();
      }
      if (!journal) {
        take(message, channel);
        return Promise.resolve();
      }
      const id = idOf(message);
      const typingShown = typeAtOnce(message, channel);
      const taken = journal.record(message).then(
        (recorded) => {
          if (recorded === 'duplicate') {
            options.metrics.duplicatesDropped.inc({ channel: message.channel });
            // Taken by a previous run or, in shared mode, by another instance: not by this engine,
            // which must still be able to adopt it should its chat come here.
            seen.delete(id);
          } else if (recorded === 'new') take(message, channel, undefined, typingShown);
          else answeredElsewhere(message);
        },
        (error: unknown) => {
          // A full or broken disk must not silence the customer: answered, but not crash-safe.
          logger.error({ err: error, chat: chatOf(message) }, 'message not journalled; answering it anyway');
          take(message, channel, undefined, typingShown);
        },
      );
      writing.set(id, taken);
      void taken.finally(() => writing.delete(id));
      return taken;
    } catch (error) {
      logger.error({ err: error, chat: chatOf(message) }, 'message not taken');
      return Promise.resolve();
    }
  }

  /**
   * A shared journal hands the message to the instance holding its chat ("typing…" went out
   * from here on receipt). Not "seen" here: should this instance hold the chat (now or after a
   * takeover), the message must be adopted.
   */
  function answeredElsewhere(message: IncomingMessage): void {
    seen.delete(idOf(message));
  }

  function recover(channelOf: (name: string) => Channel | undefined): RecoverySummary {
    const summary = adopt(journal?.unanswered() ?? [], channelOf);
    if (summary.resumed + summary.apologised + summary.expired + summary.waiting > 0) {
      logger.info(summary, 'recovery: messages left unanswered by the last run taken back');
    }
    return summary;
  }

  function adopt(entries: readonly UnansweredEntry[], channelOf: (name: string) => Channel | undefined): RecoverySummary {
    const summary = { resumed: 0, apologised: 0, expired: 0, waiting: 0 };
    const at = now();
    // Already taken by this run: each message is taken once.
    const unanswered = entries.filter((entry) => !isDuplicate(entry.message));
    for (const { first, expired, stale, resume } of planRecovery(unanswered, at, deadlines)) {
      if (expired.length > 0) closeQuietly(expired, 'expired');
      summary.expired += expired.length;
      const waiting = stale.length + resume.length;
      if (waiting === 0) continue;
      const channel = channelOf(first.channel);
      if (!channel) {
        logger.warn({ chat: chatOf(first), messages: waiting }, `recovery: channel ${first.channel} is not running; left for a later start`);
        summary.waiting += waiting;
        // Left for a later start or takeover: not "seen" by this run.
        for (const entry of [...stale, ...resume.map((e) => e.message)]) seen.delete(idOf(entry));
        continue;
      }
      // Oldest first: the apology for what is too old goes out before the answers to the rest.
      if (stale.length > 0 && options.isHandedOff?.(first.channel, first.chatId)) {
        closeQuietly(stale, 'handed_off');
      } else if (stale.length > 0) {
        void conversationOf(first, channel).replyAtOnce(stale, channel, options.staleApology ?? STALE_APOLOGY, 'unavailable');
        summary.apologised += stale.length;
      }
      for (const entry of resume) {
        take(entry.message, channel, { resumedAt: at, ...(entry.fallbackAt !== undefined && { fallbackAt: entry.fallbackAt }) });
        summary.resumed += 1;
      }
    }
    return summary;
  }

  return {
    receive,
    recover,
    adopt,
    async drain() {
      draining = true;
      for (const conversation of conversations.values()) conversation.hurry();
      await Promise.all([...conversations.values()].map((conversation) => conversation.settled()));
      await options.history.flush?.().catch((error: unknown) => logger.error({ err: error }, 'conversation history not saved at shutdown'));
      await journal?.flush();
    },
    say(channel, chatId, text, kind, link) {
      try {
        const conversation = conversationOf({ channel: channel.name, chatId }, channel);
        const said = conversation.say(text, kind, channel, link);
        forgetWhenIdle(conversation);
        return said;
      } catch (error) {
        logger.error({ err: error, kind }, 'message not sent');
        return Promise.resolve(false);
      }
    },
    activeConversations: () => conversations.size,
  };
}

/**
 * What the model is shown of a message: its text, cut to `maxChars`, with a note for a
 * caption that came with media. `undefined` when there is nothing to read.
 */
export function promptOf(message: IncomingMessage, maxChars: number): string | undefined {
  const text = message.text.trim();
  if (text === '') return undefined;
  const cut = text.length > maxChars ? `${text.slice(0, maxChars)} […] (message coupé : trop long)` : text;
  return message.kind === 'text' ? cut : `[${message.kind} joint, que vous ne pouvez pas voir] ${cut}`;
}
