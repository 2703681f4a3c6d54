import { describe, expect, it, vi } from 'vitest';
import type { ChatLog, StoredChat } from '../../../channels/web/chat-log.js';
import type { ChatHub, ChatSignal } from '../../../channels/web/hub.js';
import { VisitorBook, type ChatEvent } from '../../../channels/web/visitors.js';

/** One chat log shared by several books, merging events by id as the Postgres one does. */
function sharedLog(): ChatLog {
  const chats = new Map<string, ChatEvent[]>();
  return {
    read: async (chatId) => {
      const events = chats.get(chatId);
      if (!events) return undefined;
      const clientMessageIds = events.flatMap((event) => (event.type === 'message' && event.clientMessageId ? [event.clientMessageId] : []));
      return { events: [...events], clientMessageIds } satisfies StoredChat;
    },
    write: async (chatId, chat) => {
      const events = chats.get(chatId) ?? [];
      for (const event of chat.events) if (!events.some((known) => known.id === event.id)) events.push(event);
      chats.set(chatId, events);
    },
    sweep: async () => undefined,
    flush: async () => undefined,
  };
}

/** Hubs of several instances: what one publishes, the others hear. */
function hubs(count: number): ChatHub[] {
  const listeners: ((signal: ChatSignal) => void)[][] = Array.from({ length: count }, () => []);
  return listeners.map((own) => ({
    publish: (signal) => {
      for (const other of listeners) if (other !== own) for (const listener of other) listener(signal);
    },
    subscribe: (listener) => void own.push(listener),
  }));
}

const book = (log: ChatLog, hub: ChatHub) =>
  new VisitorBook({
    historyLimit: 50,
    historyMaxChars: 20_000,
    visitorTtlMs: 60_000,
    maxVisitors: 100,
    maxChars: 1_000_000,
    maxStreamsPerVisitor: 4,
    maxStreams: 100,
    now: Date.now,
    log,
    hub,
  });

describe('VisitorBook on several instances (a shared chat log and a hub)', () => {
  it('shows on a page held by one instance what another wrote, typing included', async () => {
    const log = sharedLog();
    const [hubA, hubB] = hubs(2);
    const [a, b] = [book(log, hubA!), book(log, hubB!)];
    const events: string[] = [];
    let typing = 0;
    await a.subscribe('awa', { event: (event) => events.push(event.type === 'message' ? event.text : event.caption), typing: () => (typing += 1), close: () => undefined });

    await b.appendCustomerMessage('awa', 'c1', 'Bonjour');
    await b.typing('awa', 6000);
    await b.append('awa', { type: 'message', from: 'shop', text: 'Bonjour Awa !' });

    await vi.waitFor(() => expect(events).toEqual(['Bonjour', 'Bonjour Awa !']));
    expect(typing).toBe(1);
    expect(await a.knows('awa', 'c1')).toBe(true);
  });

  it('reads again a visitor whose copy nobody watches, instead of showing it stale', async () => {
    const log = sharedLog();
    const [hubA, hubB] = hubs(2);
    const [a, b] = [book(log, hubA!), book(log, hubB!)];
    await a.append('kofi', { type: 'message', from: 'customer', text: 'Bonsoir' });
    await b.append('kofi', { type: 'message', from: 'shop', text: 'Bonsoir Kofi' });

    await vi.waitFor(async () => expect((await a.history('kofi')).events.map((event) => (event.type === 'message' ? event.text : ''))).toEqual(['Bonsoir', 'Bonsoir Kofi']));
  });
});
