/**
 * Human handoff: a customer who asks for a person, or whose conversation keeps getting the
 * fallback, is handed to the shop owner. The owner is told on Telegram, the bot stays quiet
 * in that chat, the owner answers from the dashboard through the customer's own channel, and
 * hands the chat back to the bot with a button.
 */
import { setRecent } from '../infra/recent.js';
import type { Logger } from '../infra/logger.js';
import type { ConversationObserver, ReplyEvent } from '../core/observer.js';
import type { IncomingMessage } from '../core/message.js';
import { asksForPerson } from './detect.js';
import { handoffStateFile, type HandedOffChat, type HandoffStateFile } from './state-file.js';
import { CUSTOMER_HANDOFF_LINE, ownerHandoffNotice, ownerMessageNotice, type ContextLine, type HandoffReason } from './texts.js';

export { asksForPerson } from './detect.js';
export type { HandedOffChat } from './state-file.js';
export { CUSTOMER_HANDOFF_LINE, channelLabel, type ContextLine, type HandoffReason } from './texts.js';

/** Why the owner's action failed: `empty_reply`, or `channel_unavailable` (not running, or the send failed). */
export class HandoffError extends Error {
  override readonly name = 'HandoffError';
  constructor(
    readonly code: 'empty_reply' | 'channel_unavailable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Options of {@link createHandoff}. */
export interface HandoffOptions {
  /** Handed-off chats are kept in `${dataDir}/handoffs.json`; in memory only without it. */
  readonly dataDir?: string;
  /** Where the handed-off chats are kept instead of `handoffs.json` (shared mode: Postgres). */
  readonly state?: HandoffStateFile;
  /** Tells the owner (the app's durable owner notice); the same key is told once. */
  readonly notifyOwner: (key: string, text: string) => Promise<void>;
  /**
   * Sends a line to the customer where they wrote, through the chat's one way out (the
   * engine's `say`, which records it); resolves `false` when it could not be delivered.
   */
  readonly say: (channel: string, chatId: string, text: string, kind: 'human' | 'handoff') => Promise<boolean>;
  readonly logger: Logger;
  readonly now?: () => number;
  /** This many fallbacks in one chat within `withinMs` hand it over (default 2 within 10 minutes). */
  readonly fallbackLimit?: { readonly count: number; readonly withinMs: number };
  /** A handed-off chat the owner has not touched for this long goes back to the bot (default 12 h). */
  readonly expireAfterMs?: number;
  /** How many lines of context are kept per chat and sent to the owner (default 6). */
  readonly contextLines?: number;
  /** Named in the owner's notifications (default `/admin`). */
  readonly dashboardPath?: string;
}

/** What the engine, the app and the dashboard use. */
export interface Handoff {
  /** Compose it with the recorder's observer (`EngineOptions.observer`). */
  readonly observer: ConversationObserver;
  /** For `EngineOptions.isHandedOff`: true while a person holds the chat. */
  isHandedOff(channel: string, chatId: string): boolean;
  /** The owner takes a chat over without being asked (the bot goes quiet). */
  takeOver(channel: string, chatId: string): Promise<void>;
  /** Sends the owner's text to the customer on their channel (recorded as `human`); takes the chat over if needed. */
  reply(channel: string, chatId: string, text: string): Promise<void>;
  /** Gives the chat back to the bot. */
  handBack(channel: string, chatId: string): Promise<void>;
  /** Handed-off chats, the longest waiting first. */
  list(): HandedOffChat[];
}

/** Replies that answer the customer for real (a fallback or an apology does not). */
const REAL_ANSWERS: ReadonlySet<string> = new Set(['answer', 'late_answer', 'catalogue_answer', 'human']);

/**
 * Creates the handoff.
 *
 * @example
 * const handoff = createHandoff({ dataDir, notifyOwner, say: (channel, chatId, text, kind) => engine.say(channelOf(channel)!, chatId, text, kind), logger });
 * createEngine({ ...options, observer: composeObservers(recorder.observer, handoff.observer), isHandedOff: handoff.isHandedOff });
 */
export function createHandoff(options: HandoffOptions): Handoff {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const limit = options.fallbackLimit ?? { count: 3, withinMs: 10 * 60_000 };
  const expireAfterMs = options.expireAfterMs ?? 12 * 3_600_000;
  const contextLines = options.contextLines ?? 6;
  const dashboardPath = options.dashboardPath ?? '/admin';
  const file = options.state ?? handoffStateFile(options.dataDir, logger);
  const held = new Map<string, HandedOffChat>();
  for (const chat of file.load()) held.set(keyOf(chat.channel, chat.chatId), normalize(chat));
  file.watch?.((chats) => {
    held.clear();
    for (const chat of chats) held.set(keyOf(chat.channel, chat.chatId), normalize(chat));
  });
  // What every chat said lately, for the owner's context; bounded to the most recent chats.
  const recent = new Map<string, { name: string | null; lines: ContextLine[] }>();
  const fallbacks = new Map<string, number[]>();
  const maxChats = 1000;

  const persist = () => file.save([...held.values()]);

  function remember(channel: string, chatId: string, line: ContextLine, name?: string | null): void {
    const key = keyOf(channel, chatId);
    const entry = recent.get(key) ?? { name: null, lines: [] };
    setRecent(recent, key, entry, maxChats);
    if (name) entry.name = name;
    entry.lines.push(line);
    if (entry.lines.length > contextLines) entry.lines.splice(0, entry.lines.length - contextLines);
    const chat = held.get(key);
    if (chat) {
      const lines = [...chat.recent, line].slice(-contextLines);
      held.set(key, { ...chat, recent: lines, customerName: chat.customerName ?? entry.name });
    }
  }

  function displayName(channel: string, chatId: string): string {
    return held.get(keyOf(channel, chatId))?.customerName ?? recent.get(keyOf(channel, chatId))?.name ?? `Client ${chatId}`;
  }

  async function tellCustomer(channel: string, chatId: string, text: string, kind: 'human' | 'handoff'): Promise<void> {
    if (!(await options.say(channel, chatId, text, kind))) {
      throw new HandoffError('channel_unavailable', `Le message n'a pas pu être envoyé sur ${channel}.`);
    }
  }

  function tellOwner(key: string, text: string): void {
    options.notifyOwner(key, text).catch((error: unknown) => logger.error({ err: error, notice: key }, 'handoff: owner not told'));
  }

  function flag(channel: string, chatId: string, reason: HandoffReason): HandedOffChat {
    const key = keyOf(channel, chatId);
    const existing = held.get(key);
    if (existing) return existing;
    const at = now();
    const context = recent.get(key);
    const chat: HandedOffChat = {
      channel,
      chatId,
      customerName: context?.name ?? null,
      reason,
      since: at,
      ownerActiveAt: at,
      unread: reason === 'owner' ? 0 : 1,
      recent: [...(context?.lines ?? [])],
    };
    held.set(key, chat);
    void persist();
    logger.info({ channel, reason }, 'conversation handed to the owner');
    if (reason !== 'owner') {
      tellOwner(
        `handoff-${channel}-${chatId}-${at}`,
        ownerHandoffNotice({
          reason,
          channel,
          customerName: displayName(channel, chatId),
          recent: chat.recent,
          fallbackCount: limit.count,
          fallbackWindowMinutes: Math.round(limit.withinMs / 60_000),
          dashboardPath,
        }),
      );
      // The bot goes quiet from now on: the customer must know someone is coming.
      tellCustomer(channel, chatId, CUSTOMER_HANDOFF_LINE, 'handoff').catch((error: unknown) =>
        logger.warn({ err: error, channel }, 'handoff: customer not told a person is coming'),
      );
    }
    return chat;
  }

  function isHandedOff(channel: string, chatId: string): boolean {
    const key = keyOf(channel, chatId);
    const chat = held.get(key);
    if (!chat) return false;
    if (now() - chat.ownerActiveAt < expireAfterMs) return true;
    held.delete(key);
    fallbacks.delete(key);
    void persist();
    logger.info({ channel }, 'handed-off conversation untouched too long: back to the bot');
    return false;
  }

  const observer: ConversationObserver = {
    messageReceived(message: IncomingMessage) {
      const { channel, chatId } = message;
      const key = keyOf(channel, chatId);
      remember(channel, chatId, { from: 'customer', text: message.text, at: message.receivedAt }, message.from.name ?? message.from.username ?? null);
      if (isHandedOff(channel, chatId)) {
        const chat = held.get(key)!;
        held.set(key, { ...chat, unread: chat.unread + 1 });
        void persist();
        tellOwner(
          `handoff-message-${channel}-${chatId}-${message.messageId}`,
          ownerMessageNotice({ channel, customerName: displayName(channel, chatId), text: message.text, dashboardPath }),
        );
        return;
      }
      if (asksForPerson(message.text)) flag(channel, chatId, 'request');
    },
    replySent(event: ReplyEvent) {
      const { channel, chatId } = event;
      remember(channel, chatId, { from: event.kind === 'human' ? 'owner' : 'bot', text: event.text, at: event.at, kind: event.kind });
      const key = keyOf(channel, chatId);
      // Repeated means unrecovered: a real answer after a fallback (the scenario's normal
      // course on a slow day) starts the count again, so a provider hiccup hands no one off.
      if (REAL_ANSWERS.has(event.kind)) fallbacks.delete(key);
      if (event.kind !== 'fallback' || held.has(key)) return;
      const times = (fallbacks.get(key) ?? []).filter((at) => event.at - at < limit.withinMs);
      times.push(event.at);
      fallbacks.set(key, times);
      if (fallbacks.size > maxChats) fallbacks.delete(fallbacks.keys().next().value as string);
      if (times.length >= limit.count) flag(channel, chatId, 'fallbacks');
    },
  };

  return {
    observer,
    isHandedOff,
    async takeOver(channel, chatId) {
      flag(channel, chatId, 'owner');
      await persist();
    },
    async reply(channel, chatId, text) {
      const trimmed = text.trim();
      if (trimmed === '') throw new HandoffError('empty_reply', 'Le message est vide.');
      flag(channel, chatId, 'owner');
      await tellCustomer(channel, chatId, trimmed, 'human');
      const key = keyOf(channel, chatId);
      const chat = held.get(key);
      if (chat) held.set(key, { ...chat, unread: 0, ownerActiveAt: now() });
      await persist();
    },
    async handBack(channel, chatId) {
      const key = keyOf(channel, chatId);
      fallbacks.delete(key);
      if (!held.delete(key)) return;
      logger.info({ channel }, 'conversation handed back to the bot');
      await persist();
    },
    list() {
      return [...held.values()].filter((chat) => isHandedOff(chat.channel, chat.chatId)).sort((a, b) => a.since - b.since);
    },
  };
}

function keyOf(channel: string, chatId: string): string {
  return `${channel}\u0000${chatId}`;
}

function normalize(chat: HandedOffChat): HandedOffChat {
  return {
    channel: chat.channel,
    chatId: chat.chatId,
    customerName: chat.customerName ?? null,
    reason: chat.reason ?? 'request',
    since: chat.since,
    ownerActiveAt: typeof chat.ownerActiveAt === 'number' ? chat.ownerActiveAt : chat.since,
    unread: typeof chat.unread === 'number' ? chat.unread : 0,
    recent: Array.isArray(chat.recent) ? chat.recent : [],
  };
}
