import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResponderError, type Reply, type Responder } from '../../src/core/responder.js';
import { withCircuitBreaker } from '../../src/model/breaker.js';
import { limitConcurrency } from '../../src/model/limit.js';
import { createRecordingChannel, createTestEngine, customerMessage, FALLBACK, metricValue } from '../support/engine-harness.js';

const DEADLINE = 8000;
const UNAVAILABLE = /je n'arrive pas à vous répondre/;
const CATALOGUE = 'Oui ! Nous livrons à Marcory. 🚚 Frais : 2 000 FCFA';

/** A model that takes `latencyMs` per call (fake time), honours its signal, and counts calls in flight. */
function slowModel(latencyMs: number) {
  const state = { active: 0, max: 0, calls: 0, answered: 0, failWith: undefined as (() => Error) | undefined };
  const model: Responder = {
    description: 'slow model',
    reply(request) {
      state.calls += 1;
      state.active += 1;
      state.max = Math.max(state.max, state.active);
      return new Promise<Reply>((resolve, reject) => {
        let settled = false;
        const settle = (outcome: () => void) => {
          if (settled) return;
          settled = true;
          state.active -= 1;
          outcome();
        };
        const timer = setTimeout(() => {
          const failure = state.failWith?.();
          state.answered += 1;
          settle(() => (failure ? reject(failure) : resolve({ text: `Réponse pour ${request.customer.chatId}` })));
        }, latencyMs);
        request.signal.addEventListener('abort', () => settle(() => (clearTimeout(timer), reject(request.signal.reason))), { once: true });
      });
    },
  };
  return { model, state };
}

function burst(latencyMs: number, options: { threshold?: number } = {}) {
  const { model, state } = slowModel(latencyMs);
  const guarded = withCircuitBreaker(limitConcurrency(model, { concurrency: 8 }), {
    failureThreshold: options.threshold ?? 5,
    cooldownMs: 30_000,
  });
  const { engine, metrics } = createTestEngine(guarded, {
    replyDeadlineMs: DEADLINE,
    lateAnswerMs: 45_000,
    quickAnswer: (text) => (/marcory/i.test(text) ? CATALOGUE : null),
  });
  const channel = createRecordingChannel();
  return { engine, metrics, channel, state, guarded };
}

/** When each chat first heard from the bot, relative to `start`. */
function firstResponseMs(channel: ReturnType<typeof createRecordingChannel>, chatId: string, start: number): number {
  const first = channel.events.find((event) => event.type === 'text' && event.chatId === chatId);
  return first ? first.at - start : Number.POSITIVE_INFINITY;
}

describe('Black Friday: 100 customers at once', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('with a slow model: at most 8 calls in flight, everyone hears from us by the deadline, and everyone gets the real answer', async () => {
    const { engine, channel, state, metrics } = burst(1900);
    const start = Date.now();
    const chats = Array.from({ length: 100 }, (_, i) => String(i + 1));
    for (const chatId of chats) engine.receive(customerMessage(chatId, `Bonjour, je suis la cliente ${chatId}`), channel);

    await vi.advanceTimersByTimeAsync(DEADLINE);
    for (const chatId of chats) expect(firstResponseMs(channel, chatId, start)).toBeLessThanOrEqual(DEADLINE);
    expect(channel.typings().length).toBeGreaterThanOrEqual(100);

    await vi.advanceTimersByTimeAsync(30_000);
    await engine.drain();
    expect(state.max).toBe(8);
    expect(state.calls).toBe(100);
    for (const chatId of chats) {
      const texts = channel.texts(chatId);
      expect([[`Réponse pour ${chatId}`], [FALLBACK, `Réponse pour ${chatId}`]]).toContainEqual(texts);
    }
    // Served in arrival order, eight at a time: the first 32 before the deadline, the rest late.
    expect(chats.filter((chatId) => channel.texts(chatId)[0] !== FALLBACK)).toEqual(chats.slice(0, 32));
    expect(await metricValue(metrics, 'akwaba_replies_total', { kind: 'late_answer' })).toBe(68);
  });

  it('a chat that writes ten times does not get ahead of the others', async () => {
    const { engine, channel } = burst(1000);
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
  });

  it('with the provider failing: the circuit opens after a few calls, and every customer is answered at once', async () => {
    const { engine, channel, state, guarded } = burst(500);
    state.failWith = () => new ResponderError('the model provider answered 503: overloaded', 'provider_error');
    const start = Date.now();
    const chats = Array.from({ length: 100 }, (_, i) => String(i + 1));
    for (const chatId of chats) {
      const text = Number(chatId) % 4 === 0 ? 'Vous livrez à Marcory ?' : 'Bonjour, vous avez des robes ?';
      engine.receive(customerMessage(chatId, text), channel);
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(guarded.breaker.state).toBe('open');
    // The provider is no longer hammered: the fifth failure opened the circuit and aborted the
    // calls still in flight, and the queued turns granted a slot in that same instant.
    expect(state.answered).toBe(5);
    expect(state.calls).toBeLessThanOrEqual(8 + 5);
    for (const chatId of chats) {
      expect(firstResponseMs(channel, chatId, start)).toBeLessThanOrEqual(500);
      const [first] = channel.texts(chatId);
      expect(first).toBe(Number(chatId) % 4 === 0 ? CATALOGUE : FALLBACK);
    }
    for (const chatId of chats.filter((id) => Number(id) % 4 !== 0)) expect(channel.texts(chatId)[1]).toMatch(UNAVAILABLE);

    // While open, a new customer is answered at once and the model is not called.
    engine.receive(customerMessage('101', 'Bonjour'), channel);
    await vi.advanceTimersByTimeAsync(10);
    expect(channel.texts('101')[0]).toBe(FALLBACK);
    expect(state.answered).toBe(5);

    // The provider recovers; after the cool-down one turn probes it, and the circuit closes.
    state.failWith = undefined;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(guarded.breaker.state).toBe('half_open');
    engine.receive(customerMessage('102', 'Bonjour'), channel);
    await vi.advanceTimersByTimeAsync(600);
    expect(channel.texts('102')).toEqual(['Réponse pour 102']);
    expect(guarded.breaker.state).toBe('closed');
    await engine.drain();
  });

  // Expected to fail until the conversation.ts patch of the resilience report is applied:
  // today a catalogue answer given after an immediate ResponderError is followed by the
  // "je n'arrive pas à vous répondre" apology. Turn `it.fails` into `it` once it lands.
  it('with the circuit open, a question the catalogue answers gets that answer and no apology', async () => {
    const { engine, channel, state } = burst(500, { threshold: 1 });
    state.failWith = () => new ResponderError('503', 'provider_error');
    engine.receive(customerMessage('1', 'Bonjour'), channel);
    await vi.advanceTimersByTimeAsync(1000);
    engine.receive(customerMessage('2', 'Vous livrez à Marcory ?'), channel);
    await vi.advanceTimersByTimeAsync(1000);
    expect(channel.texts('2')).toEqual([CATALOGUE]);
    await engine.drain();
  });
});
