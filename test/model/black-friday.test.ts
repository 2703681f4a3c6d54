import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createModelGate, type ModelGate } from '../../src/model/gate.js';
import { createRecordingChannel, createTestEngine, customerMessage, FALLBACK, metricValue } from '../support/engine-harness.js';
import { overloaded, simulatedProvider, type ProviderState } from './support.js';

const DEADLINE = 8000;
const LATE = 45_000;
const UNAVAILABLE = /je n'arrive pas à vous répondre/;
const CATALOGUE = 'Oui ! Nous livrons à Marcory. 🚚 Frais : 2 000 FCFA';

/**
 * The scenario's Black Friday (19:15, "50 messages simultanés dépassent le quota OpenAI") in
 * fake time: the real engine, the real gate and retry loop, and a provider simulated with the
 * errors the OpenAI SDK throws.
 */
function peak(provider: Partial<ProviderState>, gateOptions: { maxConcurrency?: number; cooldownMs?: number } = {}) {
  const gate: ModelGate = createModelGate({ maxConcurrency: gateOptions.maxConcurrency ?? 50, cooldownMs: gateOptions.cooldownMs ?? 30_000 });
  const { model, state } = simulatedProvider(gate, provider);
  const { engine, metrics } = createTestEngine(model, {
    replyDeadlineMs: DEADLINE,
    lateAnswerMs: LATE,
    quickAnswer: (text) => (/marcory/i.test(text) ? CATALOGUE : null),
  });
  const channel = createRecordingChannel();
  return { engine, metrics, channel, state, gate };
}

const chatIds = (count: number) => Array.from({ length: count }, (_, i) => String(i + 1));
const answerFor = (chatId: string) => `Réponse pour ${chatId}`;

describe('Black Friday: a burst beyond what the provider takes', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('100 customers against a provider that takes 20 at a time: all get the real answer within 10 s, no fallback', async () => {
    const { engine, channel, state, gate, metrics } = peak({ latencyMs: 500, capacity: 20 });
    const chats = chatIds(100);
    for (const chatId of chats) engine.receive(customerMessage(chatId, 'Bonjour, vous avez des robes ?'), channel);
    await vi.advanceTimersByTimeAsync(10_000);
    for (const chatId of chats) expect(channel.texts(chatId)).toEqual([answerFor(chatId)]);
    expect(state.answered).toBe(100);
    // The 429s taught the gate the provider's size: it was not hammered.
    expect(gate.limit).toBeLessThanOrEqual(25);
    expect(state.rateLimited).toBeLessThan(60);
    expect(await metricValue(metrics, 'akwaba_fallbacks_total')).toBe(0);
    gate.dispose();
  });

  it('50 customers against a quota of 40 that resets after 12 s: 40 at once, the other 10 one fallback then the answer', async () => {
    const start = Date.now();
    const { engine, channel, state, gate } = peak({ latencyMs: 400, quota: { limit: 40, resetAt: start + 12_000 } });
    const chats = chatIds(50);
    for (const chatId of chats) engine.receive(customerMessage(chatId, 'Bonjour'), channel);
    await vi.advanceTimersByTimeAsync(1000);
    const servedAtOnce = chats.filter((chatId) => channel.texts(chatId)[0] === answerFor(chatId));
    expect(servedAtOnce).toHaveLength(40);
    const waiting = chats.filter((chatId) => !servedAtOnce.includes(chatId));
    // Told at once, since the provider named a wait past their deadline.
    for (const chatId of waiting) expect(channel.texts(chatId)).toEqual([FALLBACK]);
    expect(gate.pausedUntil).toBeGreaterThan(Date.now());

    await vi.advanceTimersByTimeAsync(11_000 + 2000);
    for (const chatId of waiting) {
      expect(channel.texts(chatId)).toEqual([FALLBACK, answerFor(chatId)]);
      const answered = channel.events.find((e) => e.chatId === chatId && e.text === answerFor(chatId))!;
      expect(answered.at - (start + 12_000)).toBeLessThanOrEqual(2000);
    }
    for (const chatId of servedAtOnce) expect(channel.texts(chatId)).toEqual([answerFor(chatId)]);
    // Paused, the provider was not hammered: the 10 first refusals, then one probe at 0.25, 0.75,
    // 1.75, 3.75 and 7.75 s to see whether the wait was for everyone.
    expect(state.rateLimited).toBeLessThanOrEqual(15);
    gate.dispose();
  });

  it('a chat that writes ten times does not get ahead of the others', async () => {
    const { engine, channel, gate } = peak({ latencyMs: 1000 }, { maxConcurrency: 8 });
    const start = Date.now();
    engine.receive(customerMessage('chatty', 'allo'), channel);
    for (let i = 1; i <= 20; i++) engine.receive(customerMessage(String(i), 'Bonjour'), channel);
    for (let i = 0; i < 9; i++) engine.receive(customerMessage('chatty', `allo ${i}`), channel);
    await vi.advanceTimersByTimeAsync(DEADLINE);
    // Its second turn (covering its nine other messages) waits for the others' first ones.
    const chattyAnswers = channel.events.filter((e) => e.type === 'text' && e.chatId === 'chatty' && e.text !== FALLBACK);
    const others = channel.events.filter((e) => e.type === 'text' && e.chatId !== 'chatty' && e.text !== FALLBACK);
    expect(chattyAnswers).toHaveLength(2);
    expect(chattyAnswers[1]!.at - start).toBeGreaterThanOrEqual(Math.max(...others.map((e) => e.at - start)));
    await engine.drain();
    gate.dispose();
  });
});

describe('an outage during the peak', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('5xx for everyone: the breaker holds the calls (never aborting any), and when the provider is back everyone gets the real answer', async () => {
    const { engine, channel, state, gate } = peak({ latencyMs: 300, failWith: overloaded }, { cooldownMs: 20_000 });
    const chats = chatIds(30);
    for (const chatId of chats) engine.receive(customerMessage(chatId, 'Bonjour, vous avez des robes ?'), channel);
    await vi.advanceTimersByTimeAsync(3000);
    expect(gate.breaker.state).toBe('open');
    // Held, every customer heard from us at once, and the provider is left alone.
    for (const chatId of chats) expect(channel.texts(chatId)).toEqual([FALLBACK]);
    const callsWhenOpened = state.calls;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.calls).toBe(callsWhenOpened);

    state.failWith = undefined;
    await vi.advanceTimersByTimeAsync(20_000);
    for (const chatId of chats) expect(channel.texts(chatId)).toEqual([FALLBACK, answerFor(chatId)]);
    expect(gate.breaker.state).toBe('closed');
    gate.dispose();
  });

  it('down past the late window: then, and only then, one honest line each (the catalogue where it knows), never two at once', async () => {
    const { engine, channel, gate } = peak({ latencyMs: 300, failWith: overloaded }, { cooldownMs: 30_000 });
    const start = Date.now();
    engine.receive(customerMessage('1', 'Bonjour'), channel);
    engine.receive(customerMessage('2', 'Vous livrez à Marcory ?'), channel);
    for (let i = 3; i <= 6; i++) engine.receive(customerMessage(String(i), 'Bonjour'), channel);
    await vi.advanceTimersByTimeAsync(DEADLINE + LATE - 1000);
    for (const chatId of chatIds(6)) expect(channel.texts(chatId)).toEqual([FALLBACK]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(channel.texts('2')).toEqual([FALLBACK, CATALOGUE]);
    expect(channel.texts('1')).toHaveLength(2);
    expect(channel.texts('1')[1]).toMatch(UNAVAILABLE);
    for (const chatId of chatIds(6)) {
      const [fallback, last] = channel.events.filter((e) => e.type === 'text' && e.chatId === chatId);
      expect(last!.at - fallback!.at).toBeGreaterThan(30_000);
      expect(last!.at - start).toBeGreaterThanOrEqual(DEADLINE + LATE);
    }
    gate.dispose();
  });
});
