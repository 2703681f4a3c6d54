import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/infra/logger.js';
import { createMetrics } from '../../src/infra/metrics.js';
import type { Channel } from '../../src/core/channel.js';
import type { IncomingMessage } from '../../src/core/message.js';
import { FRENCH_ABUSE_TEXTS, guardAbuse } from '../../src/abuse/guard.js';
import { createRecordingChannel, createTestEngine, customerMessage, metricValue } from '../support/engine-harness.js';

const TOO_FAST =
  'Vous écrivez très vite 🙂 Ce message et ceux envoyés pendant la prochaine minute resteront sans réponse. ' +
  'Dans 1 minute, renvoyez-moi votre question en un seul message : je vous répondrai.';
const logger = createLogger({ level: 'silent' });

/** The guard's line straight to the channel, for the tests that look at the guard alone. */
const sayDirectly = (channel: Channel, chatId: string, text: string) => channel.sendText(chatId, text).then(() => true);

describe('guardAbuse', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(options: Partial<Parameters<typeof guardAbuse>[1]> = {}) {
    const handled: IncomingMessage[] = [];
    const metrics = createMetrics({ defaults: false });
    const channel = createRecordingChannel();
    const guard = guardAbuse((message) => void handled.push(message), {
      logger,
      say: sayDirectly,
      maxMessages: 5,
      windowMs: 60_000,
      registry: metrics.registry,
      ...options,
    });
    return { handled, channel, guard, metrics };
  }

  it('over the rate: one polite line, then silence until the window has passed', async () => {
    const { handled, channel, guard, metrics } = setup();
    for (let i = 0; i < 12; i++) guard(customerMessage('1', `message ${i}`), channel);
    await vi.advanceTimersByTimeAsync(0);
    expect(handled.map((m) => m.text)).toEqual(['message 0', 'message 1', 'message 2', 'message 3', 'message 4']);
    expect(channel.texts('1')).toEqual([TOO_FAST]);
    expect(await metricValue(metrics, 'akwaba_messages_refused_total', { reason: 'too_fast' })).toBe(7);

    await vi.advanceTimersByTimeAsync(59_999);
    guard(customerMessage('1', 'encore'), channel);
    expect(handled).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(1);
    guard(customerMessage('1', 'je reviens'), channel);
    expect(handled.at(-1)?.text).toBe('je reviens');
    expect(channel.texts('1')).toEqual([TOO_FAST]);
  });

  it('says what happens to the messages over the limit, and when to write again, for the window in use', () => {
    expect(FRENCH_ABUSE_TEXTS.tooFast(60_000)).toBe(TOO_FAST);
    expect(FRENCH_ABUSE_TEXTS.tooFast(120_000)).toContain('pendant les 2 prochaines minutes resteront sans réponse. Dans 2 minutes, renvoyez-moi');
    expect(FRENCH_ABUSE_TEXTS.tooFast(30_000)).toContain('pendant les 30 prochaines secondes resteront sans réponse. Dans 30 secondes,');
    expect(FRENCH_ABUSE_TEXTS.tooFast(60_000)).not.toContain('dans un instant');
  });

  it('counts each chat on its own: a flooder does not slow anyone else down', () => {
    const { handled, channel, guard } = setup();
    for (let i = 0; i < 50; i++) guard(customerMessage('flood', 'spam'), channel);
    guard(customerMessage('2', 'Bonjour'), channel);
    guard(customerMessage('2', 'Bonjour', 'text', 'whatsapp'), channel);
    expect(handled.filter((m) => m.chatId === '2')).toHaveLength(2);
  });

  it('a sliding window: messages spread over time are never limited', async () => {
    const { handled, channel, guard } = setup();
    for (let i = 0; i < 30; i++) {
      guard(customerMessage('1', `m${i}`), channel);
      await vi.advanceTimersByTimeAsync(12_001);
    }
    expect(handled).toHaveLength(30);
    expect(channel.texts()).toEqual([]);
  });

  it('a message over maxChars is not handed on; the customer is asked for a shorter one', async () => {
    const { handled, channel, guard, metrics } = setup({ maxChars: 5000 });
    guard(customerMessage('1', 'a'.repeat(5000)), channel);
    guard(customerMessage('1', 'b'.repeat(5001)), channel);
    await vi.advanceTimersByTimeAsync(0);
    expect(handled.map((m) => m.text.length)).toEqual([5000]);
    expect(channel.texts('1')).toEqual([FRENCH_ABUSE_TEXTS.tooLong]);
    expect(await metricValue(metrics, 'akwaba_messages_refused_total', { reason: 'too_long' })).toBe(1);
  });

  it("a blocked chat is dropped without a word, on that channel only", async () => {
    const blocked = new Set(['telegram\u00001']);
    const { handled, channel, guard, metrics } = setup({ blocklist: { isBlocked: (c, id) => blocked.has(`${c}\u0000${id}`) } });
    guard(customerMessage('1', 'Bonjour', 'text', 'telegram'), channel);
    guard(customerMessage('1', 'Bonjour', 'text', 'whatsapp'), channel);
    await vi.advanceTimersByTimeAsync(0);
    expect(handled.map((m) => m.channel)).toEqual(['whatsapp']);
    expect(channel.texts()).toEqual([]);
    expect(await metricValue(metrics, 'akwaba_messages_refused_total', { reason: 'blocked' })).toBe(1);
  });

  it('never throws into the channel: a failing send is logged, a failing blocklist lets the message through', async () => {
    const failing: Channel = { name: 'test', sendText: () => Promise.reject(new Error('network down')) };
    const throwing: Channel = {
      name: 'test',
      sendText: () => {
        throw new Error('sync bug');
      },
    };
    const { handled, guard } = setup({ maxMessages: 1, maxChars: 10 });
    expect(() => guard(customerMessage('1', 'a'), failing)).not.toThrow();
    expect(() => guard(customerMessage('1', 'b'), failing)).not.toThrow();
    expect(() => guard(customerMessage('2', 'x'.repeat(11)), throwing)).not.toThrow();
    await vi.advanceTimersByTimeAsync(0);
    const broken = setup({ blocklist: { isBlocked: () => { throw new Error('bug'); } } });
    broken.guard(customerMessage('3', 'Bonjour'), failing);
    expect(broken.handled).toHaveLength(1);
    expect(handled).toHaveLength(1);
  });

  it('in front of the real engine: the flooder gets its answers for what got through, plus one notice', async () => {
    const responder = { description: 'echo', reply: async () => ({ text: 'Réponse' }) };
    const { engine } = createTestEngine(responder);
    const channel = createRecordingChannel();
    const receive = guardAbuse(engine.receive, { logger, say: engine.say, maxMessages: 3, windowMs: 60_000 });
    for (let i = 0; i < 10; i++) receive(customerMessage('1', `question ${i}`), channel);
    await vi.advanceTimersByTimeAsync(100);
    await engine.drain();
    const texts = channel.texts('1');
    expect(texts.filter((t) => t === TOO_FAST)).toHaveLength(1);
    expect(texts.filter((t) => t === 'Réponse').length).toBeGreaterThanOrEqual(1);
  });
});

describe('guardAbuse and the durable hand-over', () => {
  it("returns the handler's promise for a message handed on, and nothing for a refused one", async () => {
    let taken: () => void = () => undefined;
    const journalled = new Promise<void>((resolve) => (taken = resolve));
    const guard = guardAbuse(() => journalled, { logger, say: sayDirectly, maxChars: 10 });
    const channel = createRecordingChannel();
    expect(guard(customerMessage('1', 'Bonjour'), channel)).toBe(journalled);
    expect(guard(customerMessage('1', 'x'.repeat(11)), channel)).toBeUndefined();
    taken();
    await journalled;
  });
});
