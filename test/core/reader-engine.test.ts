import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Channel } from '../../src/core/channel.js';
import type { IncomingMessage } from '../../src/core/message.js';
import type { MessageReader, ReadResult } from '../../src/core/reader.js';
import {
  FALLBACK,
  createRecordingChannel,
  createScriptedResponder,
  createTestEngine,
  customerMessage,
  metricValue,
} from '../support/engine-harness.js';

const UNAVAILABLE = /je n'arrive pas à vous répondre/;
const settle = () => vi.advanceTimersByTimeAsync(0);

/** A reader driven by the test: each call waits to be settled, and ignores its signal unless told. */
function scriptedReader(): MessageReader & {
  calls: { message: IncomingMessage; channel: Channel; signal: AbortSignal }[];
  settle(index: number, result: ReadResult): void;
} {
  const calls: { message: IncomingMessage; channel: Channel; signal: AbortSignal }[] = [];
  const settlers: ((result: ReadResult) => void)[] = [];
  const read = (message: IncomingMessage, channel: Channel, signal: AbortSignal) => {
    calls.push({ message, channel, signal });
    return new Promise<ReadResult>((resolve) => settlers.push(resolve));
  };
  return Object.assign(read, { calls, settle: (index: number, result: ReadResult) => settlers[index]!(result) });
}

const voiceNote = (chatId: string) => ({ ...customerMessage(chatId, '', 'voice'), media: { durationSec: 7 } });

describe('engine with a reader (fake time)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-25T18:32:15Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows typing at once, reads the note inside the turn, and the model sees the transcript', async () => {
    const responder = createScriptedResponder();
    const read = scriptedReader();
    const { engine, history } = createTestEngine(responder, { read });
    const channel = createRecordingChannel();
    const start = Date.now();

    engine.receive(voiceNote('c1'), channel);
    await settle();
    expect(channel.typings('c1')[0]?.at).toBe(start);
    expect(read.calls).toHaveLength(1);
    expect(read.calls[0]!.channel).toBe(channel);
    expect(responder.calls).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(3000);
    read.settle(0, { text: 'Vous livrez à Yopougon ?' });
    await settle();
    expect(responder.calls[0]!.history.at(-1)).toMatchObject({ role: 'user', content: 'Vous livrez à Yopougon ?' });
    responder.answer(0, 'Oui, 2 000 FCFA, sous 24 à 48 h.');
    await settle();
    expect(channel.texts('c1')).toEqual(['Oui, 2 000 FCFA, sous 24 à 48 h.']);
    expect((await history.load('test:c1')).map((entry) => entry.content)).toEqual(['Vous livrez à Yopougon ?', 'Oui, 2 000 FCFA, sous 24 à 48 h.']);
  });

  it('counts the deadline from receipt: a slow transcription gets the fallback, then the late answer', async () => {
    const responder = createScriptedResponder();
    const read = scriptedReader();
    const { engine, metrics } = createTestEngine(responder, { read });
    const channel = createRecordingChannel();
    const start = Date.now();

    engine.receive(voiceNote('c1'), channel);
    await vi.advanceTimersByTimeAsync(8000);
    expect(channel.events.filter((e) => e.type === 'text')).toEqual([{ type: 'text', chatId: 'c1', text: FALLBACK, at: start + 8000 }]);
    read.settle(0, { text: 'Le pagne wax, c’est combien ?' });
    await settle();
    responder.answer(0, 'Le pagne wax est à 15 000 FCFA.');
    await settle();
    expect(channel.texts('c1')).toEqual([FALLBACK, 'Le pagne wax est à 15 000 FCFA.']);
    expect(await metricValue(metrics, 'akwaba_replies_total', { kind: 'late_answer' })).toBe(1);
  });

  it('sends a refusal instead of calling the model, and no fallback after it', async () => {
    const responder = createScriptedResponder();
    const read = scriptedReader();
    const { engine, metrics } = createTestEngine(responder, { read });
    const channel = createRecordingChannel();

    engine.receive(voiceNote('c1'), channel);
    await vi.advanceTimersByTimeAsync(1000);
    read.settle(0, { refusal: 'Votre message vocal est un peu long pour moi 🙏' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(channel.texts('c1')).toEqual(['Votre message vocal est un peu long pour moi 🙏']);
    expect(responder.calls).toHaveLength(0);
    expect(await metricValue(metrics, 'akwaba_replies_total', { kind: 'unsupported' })).toBe(1);
    expect(await metricValue(metrics, 'akwaba_fallbacks_total')).toBe(0);
  });

  it('answers the words and refuses the note when both come in one turn', async () => {
    const responder = createScriptedResponder();
    const read = scriptedReader();
    const { engine } = createTestEngine(responder, { read });
    const channel = createRecordingChannel();

    engine.receive(customerMessage('c1', 'Bonjour'), channel);
    await settle();
    engine.receive(voiceNote('c1'), channel);
    engine.receive(customerMessage('c1', 'Vous avez des robes ?'), channel);
    responder.answer(0, 'Bonjour !');
    await settle();
    read.settle(0, { refusal: "Désolé, je n'ai pas bien entendu votre message vocal 🙏" });
    await settle();
    expect(responder.calls[1]!.history.filter((e) => e.role === 'user').map((e) => e.content)).toEqual(['Bonjour', 'Vous avez des robes ?']);
    responder.answer(1, 'Oui, voici nos robes.');
    await settle();
    expect(channel.texts('c1')).toEqual(['Bonjour !', "Désolé, je n'ai pas bien entendu votre message vocal 🙏", 'Oui, voici nos robes.']);
  });

  it('starts reading a note at once, while the turn before it still waits for the model', async () => {
    const responder = createScriptedResponder();
    const read = scriptedReader();
    const { engine } = createTestEngine(responder, { read });
    const channel = createRecordingChannel();

    engine.receive(customerMessage('c1', 'Bonjour'), channel);
    await settle();
    engine.receive(voiceNote('c1'), channel);
    await settle();
    expect(responder.calls).toHaveLength(1);
    expect(read.calls).toHaveLength(1);
    read.settle(0, { text: 'Vous livrez à Cocody ?' });
    responder.answer(0, 'Bonjour !');
    await settle();
    expect(responder.calls[1]!.history.filter((e) => e.role === 'user').map((e) => e.content)).toEqual(['Bonjour', 'Vous livrez à Cocody ?']);
  });

  it('reads a note once when the customer writes again after the fallback and a fresh turn takes over', async () => {
    const responder = createScriptedResponder();
    const read = scriptedReader();
    const { engine } = createTestEngine(responder, { read });
    const channel = createRecordingChannel();

    engine.receive(voiceNote('c1'), channel);
    await vi.advanceTimersByTimeAsync(8000);
    expect(channel.texts('c1')).toEqual([FALLBACK]);
    engine.receive(customerMessage('c1', 'Allô ?'), channel);
    await settle();
    read.settle(0, { text: 'Le pagne wax, c’est combien ?' });
    await settle();
    expect(read.calls).toHaveLength(1);
    expect(responder.calls).toHaveLength(1);
    expect(responder.calls[0]!.history.map((e) => e.content)).toEqual(['Le pagne wax, c’est combien ?', 'Allô ?']);
    responder.answer(0, 'Le pagne wax est à 15 000 FCFA.');
    await settle();
    expect(channel.texts('c1')).toEqual([FALLBACK, 'Le pagne wax est à 15 000 FCFA.']);
  });

  it('gives a stuck reader up when the turn ends, even if it ignores its signal, and stays usable', async () => {
    const responder = createScriptedResponder();
    const read = scriptedReader();
    const { engine } = createTestEngine(responder, { read });
    const channel = createRecordingChannel();

    engine.receive(voiceNote('c1'), channel);
    await vi.advanceTimersByTimeAsync(8000 + 45_000);
    expect(read.calls[0]!.signal.aborted).toBe(true);
    expect(channel.texts('c1')).toEqual([FALLBACK, expect.stringMatching(UNAVAILABLE)]);
    expect(responder.calls).toHaveLength(0);

    engine.receive(customerMessage('c1', 'Allô ?'), channel);
    await settle();
    responder.answer(0, 'Oui, je vous écoute !');
    await settle();
    expect(channel.texts('c1').at(-1)).toBe('Oui, je vous écoute !');
  });

  it('without a reader, a voice note still gets the "I read text" line at once', async () => {
    const responder = createScriptedResponder();
    const { engine } = createTestEngine(responder);
    const channel = createRecordingChannel();
    engine.receive(voiceNote('c1'), channel);
    await settle();
    expect(channel.texts('c1')).toEqual([expect.stringContaining('Merci pour votre message vocal')]);
  });
});
