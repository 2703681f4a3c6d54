import type { Responder } from '../../src/core/responder.js';
import { SupersededError } from '../../src/core/turn.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResponderError } from '../../src/core/responder.js';
import {
  FALLBACK,
  createRecordingChannel,
  createScriptedResponder,
  createTestEngine,
  customerMessage,
  metricValue,
} from '../support/engine-harness.js';

const UNAVAILABLE = /je n'arrive pas à vous répondre/;
/** Lets the engine's promise chains (history load/save) run, without moving the clock. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('engine (fake time)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-25T18:32:15Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows typing at once and answers without a fallback when the model is quick', async () => {
    const responder = createScriptedResponder();
    const { engine, metrics } = createTestEngine(responder);
    const channel = createRecordingChannel();
    const start = Date.now();

    engine.receive(customerMessage('c1', 'Bonjour, je cherche une robe pour un mariage'), channel);
    expect(channel.typings('c1')[0]?.at).toBe(start);
    await vi.advanceTimersByTimeAsync(2000);
    responder.answer(0, 'Bonjour ! 👗 Parfait pour un mariage !');
    await settle();

    expect(channel.texts('c1')).toEqual(['Bonjour ! 👗 Parfait pour un mariage !']);
    expect(responder.calls[0]!.history.at(-1)).toMatchObject({ role: 'user', content: 'Bonjour, je cherche une robe pour un mariage' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(channel.texts('c1')).toHaveLength(1);
    expect(await metricValue(metrics, 'akwaba_replies_total', { kind: 'answer' })).toBe(1);
    expect(await metricValue(metrics, 'akwaba_fallbacks_total')).toBe(0);
  });

  it('refreshes typing every 4 s while thinking, and stops once the answer is sent', async () => {
    const responder = createScriptedResponder();
    const { engine } = createTestEngine(responder, { replyDeadlineMs: 60_000 });
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', 'Allô ?'), channel);

    await vi.advanceTimersByTimeAsync(12_100);
    expect(channel.typings('c1').map((e) => e.at - channel.typings('c1')[0]!.at)).toEqual([0, 4000, 8000, 12_000]);
    responder.answer(0, 'Oui ?');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(channel.typings('c1')).toHaveLength(4);
    expect(channel.events.at(-1)).toMatchObject({ type: 'text', text: 'Oui ?' });
  });

  it('sends the fallback exactly at the deadline, then the late answer when it comes', async () => {
    const responder = createScriptedResponder();
    const { engine, metrics } = createTestEngine(responder);
    const channel = createRecordingChannel();
    const start = Date.now();
    engine.receive(customerMessage('c1', 'Bonjour, je cherche une robe pour un mariage'), channel);

    await vi.advanceTimersByTimeAsync(7999);
    expect(channel.texts()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(channel.events.filter((e) => e.type === 'text')).toEqual([{ type: 'text', chatId: 'c1', text: FALLBACK, at: start + 8000 }]);
    // The indicator comes back right after the fallback: the bot is still on it.
    expect(channel.events.at(-1)).toMatchObject({ type: 'typing', at: start + 8000 });
    expect(responder.calls[0]!.signal.aborted).toBe(false);

    await vi.advanceTimersByTimeAsync(2000);
    responder.answer(0, 'Nous avons la Robe Cocktail Bordeaux à 45 000 FCFA.');
    await settle();
    expect(channel.texts()).toEqual([FALLBACK, 'Nous avons la Robe Cocktail Bordeaux à 45 000 FCFA.']);
    expect(await metricValue(metrics, 'akwaba_fallbacks_total', { reason: 'timeout' })).toBe(1);
    expect(await metricValue(metrics, 'akwaba_replies_total', { kind: 'late_answer' })).toBe(1);
  });

  it('gives up politely when the late answer never comes, and aborts the call', async () => {
    const responder = createScriptedResponder();
    const { engine } = createTestEngine(responder, { lateAnswerMs: 10_000 });
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', 'Vous livrez à Marcory ?'), channel);

    await vi.advanceTimersByTimeAsync(18_000);
    expect(responder.calls[0]!.signal.aborted).toBe(true);
    const texts = channel.texts();
    expect(texts).toHaveLength(2);
    expect(texts[0]).toBe(FALLBACK);
    expect(texts[1]).toMatch(UNAVAILABLE);
  });

  it('sends the fallback at once when the responder reports a setback', async () => {
    const responder = createScriptedResponder();
    const { engine, metrics } = createTestEngine(responder);
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', 'Bonjour'), channel);
    await vi.advanceTimersByTimeAsync(300);
    responder.calls[0]!.report({ reason: 'rate_limit', until: Date.now() + 20_000 });
    await settle();
    expect(channel.texts()).toEqual([FALLBACK]);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(channel.texts()).toEqual([FALLBACK]);
    responder.answer(0, 'Bonjour ! Comment puis-je vous aider ?');
    await settle();
    expect(channel.texts()).toEqual([FALLBACK, 'Bonjour ! Comment puis-je vous aider ?']);
    expect(await metricValue(metrics, 'akwaba_fallbacks_total', { reason: 'rate_limit' })).toBe(1);
  });

  it('names the last reported problem when the deadline passes during retries', async () => {
    const responder = createScriptedResponder();
    const { engine, metrics } = createTestEngine(responder);
    engine.receive(customerMessage('c1', 'Bonjour'), createRecordingChannel());
    await settle();
    responder.calls[0]!.report({ reason: 'provider_error' });
    await vi.advanceTimersByTimeAsync(8000);
    expect(await metricValue(metrics, 'akwaba_fallbacks_total', { reason: 'provider_error' })).toBe(1);
  });

  it.each([
    ['provider_error', new ResponderError('401 invalid key', 'provider_error')],
    ['internal', new TypeError('a bug')],
  ])('on a final failure (%s) one honest line goes out at once: not the fallback and an apology together', async (_reason, error) => {
    const responder = createScriptedResponder();
    const { engine, metrics } = createTestEngine(responder);
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', 'Bonjour'), channel);
    await vi.advanceTimersByTimeAsync(100);
    responder.fail(0, error);
    await settle();
    expect(channel.texts()).toHaveLength(1);
    expect(channel.texts()[0]).toMatch(UNAVAILABLE);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(channel.texts()).toHaveLength(1);
    expect(await metricValue(metrics, 'akwaba_fallbacks_total')).toBe(0);
    expect(await metricValue(metrics, 'akwaba_replies_total', { kind: 'unavailable' })).toBe(1);
  });

  it('answers a burst coherently: the messages sent meanwhile go to the model together, after the first answer', async () => {
    const responder = createScriptedResponder();
    const { engine } = createTestEngine(responder);
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', 'Bonjour'), channel);
    await vi.advanceTimersByTimeAsync(300);
    engine.receive(customerMessage('c1', 'je cherche une robe'), channel);
    engine.receive(customerMessage('c1', 'pour un mariage, taille M'), channel);
    await vi.advanceTimersByTimeAsync(300);
    expect(responder.calls).toHaveLength(1);

    responder.answer(0, 'Bonjour !');
    await settle();
    expect(responder.calls).toHaveLength(2);
    expect(responder.calls[1]!.history.map((e) => e.content)).toEqual([
      'Bonjour',
      'Bonjour !',
      'je cherche une robe',
      'pour un mariage, taille M',
    ]);
    responder.answer(1, 'La Robe Cocktail Bordeaux existe en M.');
    await settle();
    expect(channel.texts()).toEqual(['Bonjour !', 'La Robe Cocktail Bordeaux existe en M.']);
  });

  it('18:32 — after the fallback, the customer who writes again is answered at once: the stale call is aborted and a fresh turn sees both messages', async () => {
    const responder = createScriptedResponder();
    const { engine } = createTestEngine(responder);
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', 'Bonjour, je cherche une robe pour un mariage'), channel);
    await vi.advanceTimersByTimeAsync(9000); // fallback at 8 s
    expect(channel.texts()).toEqual([FALLBACK]);
    engine.receive(customerMessage('c1', 'Des robes élégantes pour mariage'), channel);
    await settle();
    expect(responder.calls[0]!.signal.aborted).toBe(true);
    expect(responder.calls[0]!.signal.reason).toBeInstanceOf(SupersededError);
    expect(responder.calls).toHaveLength(2);
    expect(responder.calls[1]!.history.map((e) => e.content)).toEqual([
      'Bonjour, je cherche une robe pour un mariage',
      'Des robes élégantes pour mariage',
    ]);
    await vi.advanceTimersByTimeAsync(2000); // "cette fois, OpenAI répond normalement en 2s"
    responder.answer(1, 'Nous avons plusieurs robes élégantes…');
    await settle();
    expect(channel.texts()).toEqual([FALLBACK, 'Nous avons plusieurs robes élégantes…']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(channel.texts()).toEqual([FALLBACK, 'Nous avons plusieurs robes élégantes…']);
  });

  it('a stale answer that comes anyway, after the customer wrote again, is never sent on top of the new one', async () => {
    // A responder that ignores its signal: the worst case for the supersede rule.
    const settlers: ((text: string) => void)[] = [];
    const deaf: Responder = { description: 'deaf', reply: () => new Promise((resolve) => settlers.push((text) => resolve({ text }))) };
    const { engine } = createTestEngine(deaf);
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', 'Bonjour'), channel);
    await vi.advanceTimersByTimeAsync(8000);
    engine.receive(customerMessage('c1', 'Allô ?'), channel);
    await settle();
    settlers[0]!('Réponse périmée à « Bonjour »');
    await settle();
    settlers[1]!('Bonjour ! Je suis là.');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(channel.texts()).toEqual([FALLBACK, 'Bonjour ! Je suis là.']);
  });

  it('a responder that ignores its signal does not hold the turn: at the last moment, one honest line', async () => {
    const deaf: Responder = { description: 'deaf', reply: () => new Promise(() => undefined) };
    const { engine } = createTestEngine(deaf, { lateAnswerMs: 10_000 });
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', 'Bonjour'), channel);
    await vi.advanceTimersByTimeAsync(8000);
    expect(channel.texts()).toEqual([FALLBACK]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(channel.texts()).toHaveLength(2);
    expect(channel.texts()[1]).toMatch(UNAVAILABLE);
    await engine.drain();
  });

  it('a message sent while the answer is already going out waits for it, then gets its own turn', async () => {
    const responder = createScriptedResponder();
    const { engine } = createTestEngine(responder);
    const recording = createRecordingChannel();
    // Each message takes the platform 500 ms to accept.
    const channel = { ...recording, sendText: async (chatId: string, text: string) => { await new Promise((resolve) => setTimeout(resolve, 500)); await recording.sendText(chatId, text); } };
    engine.receive(customerMessage('c1', 'Bonjour'), channel);
    await vi.advanceTimersByTimeAsync(8600);
    responder.answer(0, 'Bonjour !');
    await settle();
    engine.receive(customerMessage('c1', 'Vous avez des robes ?'), channel);
    await settle();
    expect(responder.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(responder.calls[1]!.history.map((e) => e.content)).toEqual(['Bonjour', 'Bonjour !', 'Vous avez des robes ?']);
    responder.answer(1, 'Oui !');
    await vi.advanceTimersByTimeAsync(500);
    expect(recording.texts()).toEqual([FALLBACK, 'Bonjour !', 'Oui !']);
  });

  it('a message waiting behind a slow turn gets its own fallback by its own deadline', async () => {
    const responder = createScriptedResponder();
    const { engine } = createTestEngine(responder);
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', 'première question'), channel);
    await vi.advanceTimersByTimeAsync(10_000); // first fallback at 8 s
    engine.receive(customerMessage('c1', 'deuxième question'), channel);
    await vi.advanceTimersByTimeAsync(7999);
    expect(channel.texts()).toEqual([FALLBACK]);
    await vi.advanceTimersByTimeAsync(1);
    expect(channel.texts()).toEqual([FALLBACK, FALLBACK]);
  });

  it('a slow customer never delays another one', async () => {
    const responder = createScriptedResponder();
    const { engine } = createTestEngine(responder);
    const channel = createRecordingChannel();
    engine.receive(customerMessage('slow', 'question lente'), channel);
    engine.receive(customerMessage('fast', 'question rapide'), channel);
    await settle();
    expect(responder.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(500);
    responder.answer(1, 'réponse rapide');
    await settle();
    expect(channel.texts('fast')).toEqual(['réponse rapide']);
    expect(channel.texts('slow')).toEqual([]);
  });

  it('answers what it cannot read with a polite text, without calling the model', async () => {
    const responder = createScriptedResponder();
    const { engine, metrics } = createTestEngine(responder);
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', '', 'voice'), channel);
    await settle();
    expect(responder.calls).toHaveLength(0);
    expect(channel.texts()).toEqual([expect.stringMatching(/message vocal.*ne sais lire que les messages écrits/)]);
    expect(await metricValue(metrics, 'akwaba_replies_total', { kind: 'unsupported' })).toBe(1);
  });

  it('reads the caption of a photo, telling the model there was a picture it cannot see', async () => {
    const responder = createScriptedResponder();
    const { engine } = createTestEngine(responder);
    engine.receive(customerMessage('c1', 'vous avez ce modèle en M ?', 'photo'), createRecordingChannel());
    await settle();
    expect(responder.calls[0]!.history.at(-1)!.content).toMatch(/^\[photo joint.*\] vous avez ce modèle en M \?$/);
  });

  it('cuts a 20,000-character message for the model instead of rejecting it', async () => {
    const responder = createScriptedResponder();
    const { engine } = createTestEngine(responder, { maxPromptChars: 4000 });
    engine.receive(customerMessage('c1', 'a'.repeat(20_000)), createRecordingChannel());
    await settle();
    const prompt = responder.calls[0]!.history.at(-1)!.content;
    expect(prompt.length).toBeLessThan(4100);
    expect(prompt).toMatch(/trop long/);
  });

  it('drops a message delivered twice', async () => {
    const responder = createScriptedResponder();
    const { engine, metrics } = createTestEngine(responder);
    const channel = createRecordingChannel();
    const message = customerMessage('c1', 'Bonjour');
    engine.receive(message, channel);
    engine.receive(message, channel);
    await settle();
    expect(responder.calls).toHaveLength(1);
    expect(await metricValue(metrics, 'akwaba_duplicate_messages_total')).toBe(1);
  });

  it('remembers the conversation for the next turn (and across engines sharing the store)', async () => {
    const responder = createScriptedResponder();
    const { engine, history } = createTestEngine(responder);
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', 'La bordeaux en M me plaît !'), channel);
    await settle();
    responder.answer(0, 'Excellent choix ! Quel est votre nom complet ?');
    await settle();

    const restarted = createTestEngine(responder, { history });
    restarted.engine.receive(customerMessage('c1', 'Awa Koné'), channel);
    await settle();
    expect(responder.calls[1]!.history.map((e) => e.content)).toEqual([
      'La bordeaux en M me plaît !',
      'Excellent choix ! Quel est votre nom complet ?',
      'Awa Koné',
    ]);
  });

  it('on shutdown, waits for an answer due before the deadline and sends the fallback for one that is not', async () => {
    const responder = createScriptedResponder();
    const { engine } = createTestEngine(responder);
    const channel = createRecordingChannel();
    engine.receive(customerMessage('quick', 'q1'), channel);
    engine.receive(customerMessage('slow', 'q2'), channel);
    let drained = false;
    void engine.drain().then(() => (drained = true));
    await vi.advanceTimersByTimeAsync(1000);
    responder.answer(0, 'réponse');
    await settle();
    expect(drained).toBe(false);
    await vi.advanceTimersByTimeAsync(7000);
    expect(drained).toBe(true);
    expect(channel.texts('quick')).toEqual(['réponse']);
    expect(channel.texts('slow')).toEqual([FALLBACK]);
    expect(responder.calls[1]!.signal.aborted).toBe(true);
  });

  it('keeps answering when the channel fails to deliver, and counts the failure', async () => {
    const responder = createScriptedResponder();
    const { engine, metrics } = createTestEngine(responder);
    const channel = createRecordingChannel();
    let failures = 1;
    const flaky = {
      ...channel,
      async sendText(chatId: string, text: string) {
        if (failures-- > 0) throw new Error('Telegram unreachable');
        await channel.sendText(chatId, text);
      },
    };
    engine.receive(customerMessage('c1', 'un'), flaky);
    await settle();
    responder.answer(0, 'perdu');
    await settle();
    engine.receive(customerMessage('c1', 'deux'), flaky);
    await settle();
    responder.answer(1, 'reçu');
    await settle();
    expect(channel.texts()).toEqual(['reçu']);
    expect(await metricValue(metrics, 'akwaba_send_failures_total')).toBe(1);
  });
});

describe('engine: answers from the shop data instead of the fallback', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const quickAnswer = (text: string) =>
    /marcory/i.test(text) ? 'Oui ! Nous livrons à Marcory. 🚚\nFrais : 2 000 FCFA\nDélai : 24–48 h' : null;

  it('when the model fails for good, a question the catalogue can answer gets that answer: no fallback, no apology', async () => {
    const responder = createScriptedResponder();
    const { engine, metrics } = createTestEngine(responder, { quickAnswer });
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', 'Vous livrez à Marcory ?'), channel);
    await vi.advanceTimersByTimeAsync(100);
    responder.fail(0, new ResponderError('circuit open', 'provider_error'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(channel.texts()).toEqual(['Oui ! Nous livrons à Marcory. 🚚\nFrais : 2 000 FCFA\nDélai : 24–48 h']);
    expect(await metricValue(metrics, 'akwaba_replies_total', { kind: 'catalogue_answer' })).toBe(1);
    expect(await metricValue(metrics, 'akwaba_fallbacks_total')).toBe(0);

    engine.receive(customerMessage('c1', 'Merci !'), channel);
    await vi.advanceTimersByTimeAsync(0);
    expect(responder.calls[1]!.history.map((e) => e.content)).toEqual([
      'Vous livrez à Marcory ?',
      'Oui ! Nous livrons à Marcory. 🚚\nFrais : 2 000 FCFA\nDélai : 24–48 h',
      'Merci !',
    ]);
  });

  it('after the fallback, when the late answer cannot come, the catalogue answers instead of the apology', async () => {
    const responder = createScriptedResponder();
    const { engine } = createTestEngine(responder, { quickAnswer, lateAnswerMs: 10_000 });
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', 'Livraison Marcory possible ?'), channel);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(channel.texts()).toEqual([FALLBACK, 'Oui ! Nous livrons à Marcory. 🚚\nFrais : 2 000 FCFA\nDélai : 24–48 h']);
  });

  it('a slow model is awaited even when the catalogue could answer: the customer may be in the middle of an order', async () => {
    const responder = createScriptedResponder();
    const { engine } = createTestEngine(responder, { quickAnswer });
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', 'Awa Koné, livraison à Marcory'), channel);
    await vi.advanceTimersByTimeAsync(9000);
    expect(channel.texts()).toEqual([FALLBACK]);
    expect(responder.calls[0]!.signal.aborted).toBe(false);
    responder.answer(0, 'Merci Awa ! Votre commande est enregistrée.');
    await vi.advanceTimersByTimeAsync(0);
    expect(channel.texts()).toEqual([FALLBACK, 'Merci Awa ! Votre commande est enregistrée.']);
  });

  it('a question it cannot answer still gets the emoji fallback', async () => {
    const responder = createScriptedResponder();
    const { engine } = createTestEngine(responder, { quickAnswer });
    const channel = createRecordingChannel();
    engine.receive(customerMessage('c1', 'je cherche une robe pour un mariage'), channel);
    await vi.advanceTimersByTimeAsync(8000);
    expect(channel.texts()).toEqual([FALLBACK]);
    expect(responder.calls[0]!.signal.aborted).toBe(false);
  });
});

describe('engine: observers and handoff', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports every message taken and every reply sent, with the fallback reason and the messages covered', async () => {
    const responder = createScriptedResponder();
    const received: string[] = [];
    const replies: { kind: string; reason?: string; messageIds: readonly string[]; modelLatencyMs?: number }[] = [];
    const { engine } = createTestEngine(responder, {
      observer: {
        messageReceived: (message) => void received.push(message.text),
        replySent: (event) => void replies.push(event),
      },
    });
    const channel = createRecordingChannel();
    const message = customerMessage('c1', 'Bonjour');
    engine.receive(message, channel);
    engine.receive(message, channel); // a duplicate is not reported
    await vi.advanceTimersByTimeAsync(8000);
    responder.answer(0, 'Bonjour !');
    await vi.advanceTimersByTimeAsync(1000);
    expect(received).toEqual(['Bonjour']);
    expect(replies).toEqual([
      expect.objectContaining({ kind: 'fallback', reason: 'timeout', messageIds: [message.messageId] }),
      expect.objectContaining({ kind: 'late_answer', messageIds: [message.messageId], modelLatencyMs: 8000 }),
    ]);
  });

  it('a conversation handed to a person is recorded but not answered, and an observer that throws changes nothing', async () => {
    const responder = createScriptedResponder();
    const seen: string[] = [];
    const { engine } = createTestEngine(responder, {
      isHandedOff: (_channel, chatId) => chatId === 'human',
      observer: {
        messageReceived: (message) => {
          seen.push(message.chatId);
          throw new Error('observer bug');
        },
      },
    });
    const channel = createRecordingChannel();
    engine.receive(customerMessage('human', 'je veux parler à quelqu’un'), channel);
    engine.receive(customerMessage('bot', 'Bonjour'), channel);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['human', 'bot']);
    expect(responder.calls.map((call) => call.customer.chatId)).toEqual(['bot']);
    expect(channel.events.filter((e) => e.chatId === 'human')).toEqual([]);
  });
});
