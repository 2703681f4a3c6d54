import type { HistoryStore } from './history.js';
import { pseudonym, type Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Responder } from './responder.js';
import type { ReplyTexts } from './texts.js';
import type { ConversationObserver } from './observer.js';
import type { Channel, IncomingMessage, MessageHandler } from './types.js';
import { Conversation, type ConversationContext } from './conversation.js';

/** The clients and the timing policy of the core. */
export interface EngineOptions {
  readonly responder: Responder;
  readonly history: HistoryStore;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly texts: ReplyTexts;
  /** The longest a customer waits before the fallback. */
  readonly replyDeadlineMs: number;
  /** How long after the fallback the real answer is still awaited and delivered. */
  readonly lateAnswerMs: number;
  /** How often "typing…" is shown again while the bot thinks (Telegram's lasts 5 s). */
  readonly typingRefreshMs?: number;
  /** Longer customer texts are cut to this many characters before the model sees them. */
  readonly maxPromptChars?: number;
  /** How many past entries of a conversation are remembered and shown to the model. */
  readonly historyLimit?: number;
  /** How many message ids are remembered to drop a platform's redeliveries. */
  readonly dedupeWindow?: number;
  readonly now?: () => number;
  /** Answers straight from the shop's data instead of the fallback, when confident. */
  readonly quickAnswer?: (text: string) => string | null;
  /** Sees every message taken and every reply sent (records, dashboard, handoff). */
  readonly observer?: ConversationObserver;
  /**
   * True for a conversation a person has taken over: its messages are recorded (observer) but
   * the bot does not answer them.
   */
  readonly isHandedOff?: (channel: string, chatId: string) => boolean;
}

/** The core: give it every customer message; it answers each one, or sends the fallback in time. */
export interface Engine {
  /** Hand a message over; returns at once, never throws. */
  readonly receive: MessageHandler;
  /**
   * Shutdown: stop waiting for late answers and resolve once every owed reply was sent (the
   * real answer if it comes by the deadline, the fallback otherwise).
   */
  drain(): Promise<void>;
  /** Conversations with work in flight. */
  activeConversations(): number;
}

/**
 * Creates the core.
 *
 * @example
 * const engine = createEngine({ responder, history, metrics, logger, texts, replyDeadlineMs: 8000, lateAnswerMs: 45000 });
 * await telegram.start(engine.receive);
 */
export function createEngine(options: EngineOptions): Engine {
  let draining = false;
  const conversations = new Map<string, Conversation>();
  const seen = new Set<string>();
  const dedupeWindow = options.dedupeWindow ?? 10_000;
  const maxPromptChars = options.maxPromptChars ?? 4000;
  const context: ConversationContext = {
    responder: options.responder,
    history: options.history,
    metrics: options.metrics,
    logger: options.logger,
    texts: options.texts,
    replyDeadlineMs: options.replyDeadlineMs,
    lateAnswerMs: options.lateAnswerMs,
    typingRefreshMs: options.typingRefreshMs ?? 4000,
    maxPromptChars,
    historyLimit: options.historyLimit ?? 30,
    now: options.now ?? Date.now,
    draining: () => draining,
    quickAnswer: options.quickAnswer,
    observer: options.observer,
  };

  /** Drops a redelivered message; remembers the newest ids only. */
  function isDuplicate(message: IncomingMessage): boolean {
    const id = `${message.channel}\u0000${message.chatId}\u0000${message.messageId}`;
    if (seen.has(id)) return true;
    seen.add(id);
    if (seen.size > dedupeWindow) seen.delete(seen.values().next().value as string);
    return false;
  }

  function conversationOf(message: IncomingMessage, channel: Channel): Conversation {
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

  function receive(message: IncomingMessage, channel: Channel): void {
    try {
      options.metrics.messagesReceived.inc({ channel: message.channel, kind: message.kind });
      if (isDuplicate(message)) {
        options.metrics.duplicatesDropped.inc({ channel: message.channel });
        return;
      }
      try {
        options.observer?.messageReceived?.(message);
      } catch (error) {
        options.logger.error({ err: error }, 'message observer failed');
      }
      if (options.isHandedOff?.(message.channel, message.chatId)) return;
      const conversation = conversationOf(message, channel);
      const prompt = promptOf(message, maxPromptChars);
      if (prompt === undefined) {
        conversation.replyAtOnce(message, channel, options.texts.unsupported(message.kind), 'unsupported');
      } else {
        conversation.receive(message, channel, prompt);
      }
      forgetWhenIdle(conversation);
    } catch (error) {
      // Only a bug gets here; the channel must keep running whatever the core does.
      options.logger.error({ err: error, chat: `${message.channel}:${pseudonym(message.chatId)}` }, 'message not taken');
    }
  }

  return {
    receive,
    async drain() {
      draining = true;
      for (const conversation of conversations.values()) conversation.hurry();
      await Promise.all([...conversations.values()].map((conversation) => conversation.settled()));
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
