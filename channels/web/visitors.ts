import { randomBytes } from 'node:crypto';

/** Something to show in a visitor's chat: a message either way, or a product photo from the shop. */
export type NewChatEvent =
  | {
      readonly type: 'message';
      readonly from: 'customer' | 'shop';
      readonly text: string;
      /** The page's own id for a customer message, so the tab that sent it recognises it. */
      readonly clientMessageId?: string;
    }
  | { readonly type: 'photo'; readonly from: 'shop'; readonly url: string; readonly caption: string };

/** A chat event as kept and sent to pages: with its id (for `Last-Event-ID`) and time (epoch ms). */
export type ChatEvent = NewChatEvent & { readonly id: string; readonly at: number };

/** An open event stream of one visitor (one tab). */
export interface Subscriber {
  event(event: ChatEvent): void;
  typing(visibleMs: number): void;
  close(): void;
}

/** Limits of the in-memory visitor book. */
export interface VisitorBookOptions {
  /** Chat events kept per visitor (customer and shop). */
  readonly historyLimit: number;
  /** A visitor idle this long is forgotten. */
  readonly visitorTtlMs: number;
  /** Most visitors remembered at once; the longest idle ones without an open page go first. */
  readonly maxVisitors: number;
  readonly messagesPerMinute: number;
  /** Open event streams per visitor; a new one closes the oldest (a reloaded page's old one). */
  readonly maxStreamsPerVisitor: number;
  /** Open event streams in all. */
  readonly maxStreams: number;
  readonly now: () => number;
}

interface Visitor {
  readonly id: string;
  events: ChatEvent[];
  seq: number;
  lastSeen: number;
  typingUntil: number;
  /** When the messages of the last minute were accepted. */
  sentAt: number[];
  /** Recent client message ids, to answer a resent message once. */
  readonly clientMessageIds: Set<string>;
  readonly subscribers: Set<Subscriber>;
}

const CLIENT_IDS_KEPT = 200;
const MINUTE_MS = 60_000;

/**
 * Each visitor's recent chat, kept in memory so a reloaded page shows it again, and the pages
 * currently open. Event ids carry a per-process prefix, so a page that reconnects after a
 * restart gets the whole (new) history instead of nothing.
 */
export class VisitorBook {
  private readonly visitors = new Map<string, Visitor>();
  private readonly boot = randomBytes(4).toString('hex');
  private streams = 0;

  constructor(private readonly options: VisitorBookOptions) {}

  /** Notes activity: the visitor's record is created or renewed (one idle past its time starts afresh). */
  touch(visitorId: string): void {
    this.visitor(visitorId);
  }

  private visitor(visitorId: string): Visitor {
    const now = this.options.now();
    let visitor = this.visitors.get(visitorId);
    if (visitor && this.expired(visitor, now)) {
      this.visitors.delete(visitorId);
      visitor = undefined;
    }
    if (!visitor) {
      this.makeRoom();
      visitor = { id: visitorId, events: [], seq: 0, lastSeen: now, typingUntil: 0, sentAt: [], clientMessageIds: new Set(), subscribers: new Set() };
    }
    // Re-inserting keeps the map ordered from the longest idle to the most recent.
    this.visitors.delete(visitorId);
    this.visitors.set(visitorId, visitor);
    visitor.lastSeen = now;
    return visitor;
  }

  /** Adds an event to the visitor's chat and shows it on every open page. */
  append(visitorId: string, event: NewChatEvent): ChatEvent {
    const visitor = this.visitor(visitorId);
    visitor.seq += 1;
    const stored: ChatEvent = { ...event, id: `${this.boot}-${visitor.seq}`, at: this.options.now() };
    visitor.events.push(stored);
    if (visitor.events.length > this.options.historyLimit) visitor.events.splice(0, visitor.events.length - this.options.historyLimit);
    if (stored.from === 'shop') visitor.typingUntil = 0; // a message from the shop ends "typing…", as on Telegram
    for (const subscriber of visitor.subscribers) subscriber.event(stored);
    return stored;
  }

  /** Shows "typing…" on the visitor's open pages, and on pages opened while it lasts. */
  typing(visitorId: string, visibleMs: number): void {
    const visitor = this.visitor(visitorId);
    visitor.typingUntil = this.options.now() + visibleMs;
    for (const subscriber of visitor.subscribers) subscriber.typing(visibleMs);
  }

  /** How long "typing…" should still show for a page that opens now (0: not typing). */
  typingLeftMs(visitorId: string): number {
    const visitor = this.visitors.get(visitorId);
    return visitor ? Math.max(0, visitor.typingUntil - this.options.now()) : 0;
  }

  /** The kept events after `lastEventId`; all of them when it is missing, unknown or from before a restart. */
  eventsAfter(visitorId: string, lastEventId?: string): ChatEvent[] {
    const visitor = this.visitor(visitorId);
    const match = /^([0-9a-f]+)-(\d+)$/.exec(lastEventId ?? '');
    if (!match || match[1] !== this.boot) return [...visitor.events];
    const seen = Number(match[2]);
    return visitor.events.filter((event) => Number(event.id.slice(this.boot.length + 1)) > seen);
  }

  /** The id of the newest event, or `undefined` for a new visitor. */
  lastEventId(visitorId: string): string | undefined {
    return this.visitors.get(visitorId)?.events.at(-1)?.id;
  }

  /** Whether the visitor already sent a message with this id (the page resent it). */
  knows(visitorId: string, clientMessageId: string): boolean {
    return this.visitors.get(visitorId)?.clientMessageIds.has(clientMessageId) ?? false;
  }

  /** Remembers an accepted message id (the most recent ones only). */
  remember(visitorId: string, clientMessageId: string): void {
    const ids = this.visitor(visitorId).clientMessageIds;
    ids.add(clientMessageId);
    if (ids.size > CLIENT_IDS_KEPT) ids.delete(ids.values().next().value as string);
  }

  /**
   * Counts one more message against the visitor's per-minute allowance. Returns 0 when it is
   * allowed, or how many milliseconds to wait when the visitor is over it.
   */
  takeMessageSlot(visitorId: string): number {
    const visitor = this.visitor(visitorId);
    const now = this.options.now();
    visitor.sentAt = visitor.sentAt.filter((at) => now - at < MINUTE_MS);
    if (visitor.sentAt.length >= this.options.messagesPerMinute) return MINUTE_MS - (now - visitor.sentAt[0]!);
    visitor.sentAt.push(now);
    return 0;
  }

  /**
   * Registers an open page. Returns its unsubscribe function, or `null` when the server holds
   * as many streams as it may.
   */
  subscribe(visitorId: string, subscriber: Subscriber): (() => void) | null {
    const visitor = this.visitor(visitorId);
    if (visitor.subscribers.size >= this.options.maxStreamsPerVisitor) {
      const oldest = visitor.subscribers.values().next().value as Subscriber;
      this.drop(visitor, oldest);
      oldest.close();
    }
    if (this.streams >= this.options.maxStreams) return null;
    visitor.subscribers.add(subscriber);
    this.streams += 1;
    return () => {
      this.drop(visitor, subscriber);
      visitor.lastSeen = this.options.now();
    };
  }

  /** Forgets visitors idle past their time (the ones with an open page stay). */
  sweep(): void {
    const now = this.options.now();
    for (const visitor of this.visitors.values()) {
      if (this.expired(visitor, now)) this.visitors.delete(visitor.id);
    }
  }

  /** Ends every open stream (shutdown). */
  closeAll(): void {
    for (const visitor of this.visitors.values()) {
      for (const subscriber of [...visitor.subscribers]) {
        this.drop(visitor, subscriber);
        subscriber.close();
      }
    }
  }

  get size(): number {
    return this.visitors.size;
  }

  private drop(visitor: Visitor, subscriber: Subscriber): void {
    if (visitor.subscribers.delete(subscriber)) this.streams -= 1;
  }

  private expired(visitor: Visitor, now: number): boolean {
    return visitor.subscribers.size === 0 && now - visitor.lastSeen > this.options.visitorTtlMs;
  }

  /** Forgets the longest idle visitors without an open page until one more fits. */
  private makeRoom(): void {
    for (const visitor of this.visitors.values()) {
      if (this.visitors.size < this.options.maxVisitors) return;
      if (visitor.subscribers.size === 0) this.visitors.delete(visitor.id);
    }
  }
}
