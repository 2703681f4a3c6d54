import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Responder } from '../../src/core/responder.js';
import { createRecordingChannel, createTestEngine, customerMessage } from '../support/engine-harness.js';

/** Answers every turn at once. */
const instant: Responder = { description: 'instant', reply: async () => ({ text: 'Oui, en M.' }) };

describe('engine memory stays bounded (fake time)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-25T18:32:15Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('forgets each conversation once it is answered, however many customers wrote', async () => {
    const { engine } = createTestEngine(instant);
    const channel = createRecordingChannel();
    for (let round = 0; round < 3; round += 1) {
      for (let chat = 0; chat < 500; chat += 1) void engine.receive(customerMessage(`c${round}-${chat}`, 'La robe bordeaux en M ?'), channel);
      expect(engine.activeConversations()).toBe(500);
      await vi.advanceTimersByTimeAsync(0);
      expect(engine.activeConversations()).toBe(0);
    }
    expect(channel.texts()).toHaveLength(1500);
  });

  it('remembers only the newest message ids: an id older than the window is taken again', async () => {
    const { engine } = createTestEngine(instant, { dedupeWindow: 100 });
    const channel = createRecordingChannel();
    const messages = Array.from({ length: 1000 }, (_, i) => customerMessage(`c${i}`, 'Bonjour'));
    for (const message of messages) void engine.receive(message, channel);
    await vi.advanceTimersByTimeAsync(0);
    expect(channel.texts()).toHaveLength(1000);

    void engine.receive(messages.at(-1)!, channel); // within the window: dropped
    void engine.receive(messages[0]!, channel); // forgotten long ago: answered again
    await vi.advanceTimersByTimeAsync(0);
    expect(channel.texts('c999')).toHaveLength(1);
    expect(channel.texts('c0')).toHaveLength(2);
  });
});
