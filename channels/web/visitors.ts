import { randomBytes } from 'node:crypto';
import type { ChatLog } from './chat-log.js';
import type { ChatHub, ChatSignal } from './hub.js';

/** Something to show in a visitor's chat: a message either way, or a product photo from the shop. */
export type NewChatEvent =
  | {
      readonly type: 'message';
      readonly from: 'customer' | 'shop';
      readonly text: string;
      /** The page's own id for a customer message, so the tab that sent it recognises it. */
      readonly clientMessageId?: string;
      /** A button under a shop message (a payment link). */
      readonly link?: { readonly label: string; readonly url: string };
      /** Choices offered under a shop message; pressing one sends its label with its id as `action`. */
      readonly buttons?: readonly { readonly id: string; readonly label: string }[];
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

/** Limits of the visitor book. */
export interface VisitorBookOptions {
  /** Chat events kept per visitor (customer and shop). */
  readonly historyLimit: number;
  /** Characters kept per visitor, all events together (the newest event is always kept). */
  readonly historyMaxChars: number;
  /** A visitor idle this long leaves memory (its chat stays in the log, if there is one). */
  readonly visitorTtlMs: number;
  /** Most visitors in memory; the longest idle without an open page leave first. */
  readonly maxVisitors: number;
  /** Most characters of chat in memory, all visitors together, beyond the open pages' own. */
  readonly maxChars: number;
  /** Open event streams per visitor; a new one closes the oldest (a reloaded page's old one). */
  readonly maxStreamsPerVisitor: number;
  /** Open event streams in all. */
  readonly maxStreams: number;
  readonly now: () => number;
  /** Where chats are kept across restarts; without it they live in memory only. */
  readonly log?: ChatLog;
  /**
   * Other instances sharing `log` (shared mode): what is added here is announced once written,
   * and what they add reaches the pages open here.
   */
  readonly hub?: ChatHub;
}

interface Visitor {
  readonly id: string;
  events: ChatEvent[];
  chars: number;
  lastSeen: number;
  typingUntil: number;
  /** Recent client message ids, to answer a resent message once. */
  readonly clientMessageIds: Set<string>;
  readonly subscribers: Set<Subscriber>;
  /** Operations under way: a pinned visitor is not sent out of memory. */
  pins: number;
}

const CLIENT_IDS_KEPT = 200;

/**
 * Each visitor's recent chat, so a reloaded page (or one opened after a restart) shows it
 * again, and the pages currently open. Memory is bounded (visitors and characters); chats are
 * written to the {@link ChatLog} and read back from it when a visitor returns. Event ids carry
 * a per-process prefix and a counter, so they never repeat.
 */
export class VisitorBook {
  private readonly visitors = new Map<string, Visitor>();
  private readonly loading = new Map<string, { promise: Promise<Visitor>; waiters: number }>();
  private readonly boot = randomBytes(4).toString('hex');
  private sequence = 0;
  private streams = 0;
  private chars = 0;

  constructor(private readonly options: VisitorBookOptions) {
    options.hub?.subscribe((signal) => void this.heard(signal).catch(() => undefined));
  }

  /** Adds an event to the visitor's chat, shows it on every open page and saves the chat. */
  append(visitorId: string, event: NewChatEvent): Promise<ChatEvent> {
    return this.use(visitorId, (visitor) => this.push(visitor, event));
  }

  /**
   * Adds a customer message unless the page already sent one with this id (`'duplicate'`);
   * the id is remembered, across restarts too.
   */
  appendCustomerMessage(visitorId: string, clientMessageId: string, text: string): Promise<ChatEvent | 'duplicate'> {
    return this.use(visitorId, (visitor) => {
      if (visitor.clientMessageIds.has(clientMessageId)) return 'duplicate';
      visitor.clientMessageIds.add(clientMessageId);
      if (visitor.clientMessageIds.size > CLIENT_IDS_KEPT) visitor.clientMessageIds.delete(visitor.clientMessageIds.values().next().value as string);
      return this.push(visitor, { type: 'message', from: 'customer', text, clientMessageId });
    });
  }

  /** Whether the visitor already sent a message with this id (the page resent it). */
  knows(visitorId: string, clientMessageId: string): Promise<boolean> {
    return this.use(visitorId, (visitor) => visitor.clientMessageIds.has(clientMessageId));
  }

  /** The kept events after `lastEventId` (all of them when it is missing or unknown), and the newest id. */
  history(visitorId: string, lastEventId?: string): Promise<{ events: ChatEvent[]; lastEventId: string | null }> {
    return this.use(visitorId, (visitor) => ({ events: after(visitor.events, lastEventId), lastEventId: visitor.events.at(-1)?.id ?? null }));
  }

  /** Shows "typing…" on the visitor's open pages, and on pages opened while it lasts. */
  typing(visitorId: string, visibleMs: number): Promise<void> {
    return this.use(visitorId, (visitor) => {
      visitor.typingUntil = this.options.now() + visibleMs;
      for (const subscriber of visitor.subscribers) subscriber.typing(visibleMs);
      this.options.hub?.publish({ kind: 'typing', chatId: visitorId, visibleMs });
    });
  }

  /**
   * Registers an open page and sends it, at once, the events after `lastEventId` and the
   * "typing…" under way. Returns its unsubscribe function, or `null` when the server holds as
   * many streams as it may.
   */
  subscribe(visitorId: string, subscriber: Subscriber, lastEventId?: string): Promise<(() => void) | null> {
    return this.use(visitorId, (visitor) => {
      if (visitor.subscribers.size >= this.options.maxStreamsPerVisitor) {
        const oldest = visitor.subscribers.values().next().value as Subscriber;
        this.drop(visitor, oldest);
        oldest.close();
      }
      if (this.streams >= this.options.maxStreams) return null;
      for (const event of after(visitor.events, lastEventId)) subscriber.event(event);
      const typingLeftMs = visitor.typingUntil - this.options.now();
      if (typingLeftMs > 0) subscriber.typing(typingLeftMs);
      visitor.subscribers.add(subscriber);
      this.streams += 1;
      return () => {
        this.drop(visitor, subscriber);
        visitor.lastSeen = this.options.now();
      };
    });
  }

  /** Sends visitors idle past their time out of memory, and old chats out of the log. */
  async sweep(): Promise<void> {
    const now = this.options.now();
    for (const visitor of this.visitors.values()) {
      if (this.evictable(visitor) && now - visitor.lastSeen > this.options.visitorTtlMs) this.evict(visitor);
    }
    await this.options.log?.sweep();
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

  /** Resolves once every chat is saved. */
  async flush(): Promise<void> {
    await this.options.log?.flush();
  }

  /** Visitors in memory. */
  get size(): number {
    return this.visitors.size;
  }

  /** Characters of chat in memory. */
  get memoryChars(): number {
    return this.chars;
  }

  /** Runs `work` on the visitor, loaded (or created) and kept in memory while it runs. */
  private async use<T>(visitorId: string, work: (visitor: Visitor) => T): Promise<T> {
    let visitor = this.visitors.get(visitorId);
    if (visitor) visitor.pins += 1;
    else visitor = await this.load(visitorId); // pinned for us by the load
    try {
      visitor.lastSeen = this.options.now();
      this.visitors.delete(visitorId); // re-inserting keeps the map ordered from the longest idle
      this.visitors.set(visitorId, visitor);
      return work(visitor);
    } finally {
      visitor.pins -= 1;
      this.makeRoom();
    }
  }

  private load(visitorId: string): Promise<Visitor> {
    let entry = this.loading.get(visitorId);
    if (!entry) {
      const pending: { promise: Promise<Visitor>; waiters: number } = { promise: Promise.resolve() as never, waiters: 0 };
      pending.promise = (async () => {
        const stored = await this.options.log?.read(visitorId).catch(() => undefined);
        const visitor = this.fresh(visitorId, stored?.events ?? [], stored?.clientMessageIds ?? []);
        visitor.pins += pending.waiters; // pinned in the same step as inserted: no eviction in between
        this.visitors.set(visitorId, visitor);
        this.loading.delete(visitorId);
        return visitor;
      })();
      entry = pending;
      this.loading.set(visitorId, entry);
    }
    entry.waiters += 1;
    return entry.promise;
  }

  private fresh(id: string, events: readonly ChatEvent[], clientMessageIds: readonly string[]): Visitor {
    const visitor: Visitor = {
      id,
      events: [...events],
      chars: events.reduce((sum, event) => sum + sizeOf(event), 0),
      lastSeen: this.options.now(),
      typingUntil: 0,
      clientMessageIds: new Set(clientMessageIds.slice(-CLIENT_IDS_KEPT)),
      subscribers: new Set(),
      pins: 0,
    };
    this.chars += visitor.chars;
    return visitor;
  }

  private push(visitor: Visitor, event: NewChatEvent): ChatEvent {
    this.sequence += 1;
    const stored = { ...event, id: `${this.boot}-${this.sequence}`, at: this.options.now() } as ChatEvent;
    visitor.events.push(stored);
    visitor.chars += sizeOf(stored);
    this.chars += sizeOf(stored);
    this.trim(visitor);
    if (stored.from === 'shop') visitor.typingUntil = 0; // a message from the shop ends "typing…", as on Telegram
    for (const subscriber of visitor.subscribers) subscriber.event(stored);
    const written = this.options.log?.write(visitor.id, { events: visitor.events, clientMessageIds: [...visitor.clientMessageIds] });
    const { hub } = this.options;
    // Announced once in the log: the instance holding the pages reads it from there.
    if (hub) void (written ?? Promise.resolve()).then(() => hub.publish({ kind: 'events', chatId: visitor.id }));
    return stored;
  }

  /** Another instance changed a visitor's chat: pages open here show it; a copy nobody watches is dropped (read again when needed). */
  private async heard(signal: ChatSignal): Promise<void> {
    const visitor = this.visitors.get(signal.chatId);
    if (!visitor) return;
    if (signal.kind === 'typing') {
      visitor.typingUntil = this.options.now() + signal.visibleMs;
      for (const subscriber of visitor.subscribers) subscriber.typing(signal.visibleMs);
      return;
    }
    if (this.evictable(visitor)) {
      this.evict(visitor);
      return;
    }
    visitor.pins += 1;
    try {
      const stored = await this.options.log?.read(visitor.id);
      for (const event of stored?.events ?? []) this.merge(visitor, event);
      for (const id of stored?.clientMessageIds ?? []) visitor.clientMessageIds.add(id);
    } finally {
      visitor.pins -= 1;
    }
  }

  /** Adds an event another instance wrote, unless this copy has it already. */
  private merge(visitor: Visitor, event: ChatEvent): void {
    const oldest = visitor.events[0];
    if ((oldest && event.at < oldest.at) || visitor.events.some((known) => known.id === event.id)) return;
    visitor.events.push(event);
    visitor.chars += sizeOf(event);
    this.chars += sizeOf(event);
    this.trim(visitor);
    if (event.from === 'shop') visitor.typingUntil = 0;
    for (const subscriber of visitor.subscribers) subscriber.event(event);
  }

  /** Keeps the visitor's chat within its limits, the newest event always. */
  private trim(visitor: Visitor): void {
    const { historyLimit, historyMaxChars } = this.options;
    while (visitor.events.length > 1 && (visitor.events.length > historyLimit || visitor.chars > historyMaxChars)) {
      const dropped = sizeOf(visitor.events.shift()!);
      visitor.chars -= dropped;
      this.chars -= dropped;
    }
  }

  private drop(visitor: Visitor, subscriber: Subscriber): void {
    if (visitor.subscribers.delete(subscriber)) this.streams -= 1;
  }

  private evictable(visitor: Visitor): boolean {
    return visitor.subscribers.size === 0 && visitor.pins <= 0;
  }

  private evict(visitor: Visitor): void {
    this.visitors.delete(visitor.id);
    this.chars -= visitor.chars;
  }

  /** Sends the longest idle visitors without an open page out of memory until both limits hold. */
  private makeRoom(): void {
    const over = () => this.visitors.size > this.options.maxVisitors || this.chars > this.options.maxChars;
    for (const visitor of this.visitors.values()) {
      if (!over()) return;
      if (this.evictable(visitor)) this.evict(visitor);
    }
  }
}

/** The events after the one with `lastEventId`; all of them when it is missing or not kept any more. */
function after(events: readonly ChatEvent[], lastEventId: string | undefined): ChatEvent[] {
  const seen = lastEventId === undefined ? -1 : events.findIndex((event) => event.id === lastEventId);
  return events.slice(seen + 1);
}

function sizeOf(event: ChatEvent): number {
  return event.type === 'photo' ? event.url.length + event.caption.length : event.text.length;
}
