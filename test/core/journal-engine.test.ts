import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STALE_APOLOGY } from '../../src/core/engine.js';
import { createMemoryHistoryStore } from '../../src/durable/history.js';
import type { HistoryStore } from '../../src/core/history.js';
import { openJournal } from '../../src/durable/journal.js';
import type { InboundJournal } from '../../src/core/journal.js';
import { ResponderError } from '../../src/core/responder.js';
import {
  FALLBACK,
  createRecordingChannel,
  createScriptedResponder,
  createTestEngine,
  customerMessage,
  metricValue,
  type TestEngineOverrides,
} from '../support/engine-harness.js';

const UNAVAILABLE = /je n'arrive pas à vous répondre/;
const settle = () => vi.advanceTimersByTimeAsync(0);

/**
 * The engine with a real journal on disk, across "restarts": a run ends by a crash (its
 * timers are dropped and its journal stops writing, nothing is drained) or by a shutdown, and
 * the next run opens the same journal. Time is fake; the disk is real.
 */
describe('engine with a journal: recovery and cross-restart dedupe (fake time)', () => {
  let dir: string;
  let journals: InboundJournal[];
  let history: HistoryStore;

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-25T18:32:15Z') });
    dir = mkdtempSync(join(tmpdir(), 'akwaba-journal-engine-'));
    journals = [];
    history = createMemoryHistoryStore();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(journals.map((journal) => journal.close()));
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  });

  async function run(overrides: TestEngineOverrides = {}) {
    const journal = await openJournal(dir);
    journals.push(journal);
    const responder = createScriptedResponder();
    const channel = createRecordingChannel('telegram');
    const { engine, metrics } = createTestEngine(responder, { journal, history, ...overrides });
    return { journal, responder, channel, engine, metrics };
  }

  /** kill -9: what is on disk stays, everything in memory (timers, turns) is gone. */
  async function crash(journal: InboundJournal): Promise<void> {
    await journal.close();
    vi.clearAllTimers();
  }

  const message = (chatId: string, text: string) => customerMessage(chatId, text, 'text', 'telegram');

  it('a message taken before a crash is answered after it, once, with its original receivedAt', async () => {
    const first = await run();
    const m = message('c1', 'Vous livrez à Marcory ?');
    await first.engine.receive(m, first.channel);
    expect(first.journal.unanswered()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2000);
    await crash(first.journal);

    const second = await run();
    expect(second.engine.recover(() => second.channel)).toEqual({ resumed: 1, apologised: 0, expired: 0, waiting: 0 });
    expect(second.engine.recover(() => second.channel).resumed).toBe(0); // once per run
    await settle();
    expect(second.responder.calls).toHaveLength(1);
    expect(second.responder.calls[0]!.replyBy).toBe(m.receivedAt + 8000);
    // Its turn has a fresh window: it was not given up on at once.
    expect(second.responder.calls[0]!.giveUpAt).toBe(Date.now() + 8000 + 45_000);
    second.responder.answer(0, 'Oui, 1 500 FCFA.');
    await settle();
    await second.journal.flush();
    expect(second.channel.texts('c1')).toEqual(['Oui, 1 500 FCFA.']);
    // The model saw the question once, not once per run.
    expect(second.responder.calls[0]!.history.filter((entry) => entry.role === 'user')).toHaveLength(1);

    // Telegram redelivers the update it never saw confirmed: dropped, not answered again.
    await second.engine.receive(m, second.channel);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(second.channel.texts('c1')).toEqual(['Oui, 1 500 FCFA.']);
    expect(await metricValue(second.metrics, 'akwaba_duplicate_messages_total')).toBe(1);

    const third = await run();
    expect(third.engine.recover(() => third.channel).resumed).toBe(0);
  });

  it('a redelivery after a restart is dropped, even with the in-memory dedupe empty', async () => {
    const first = await run();
    const m = message('c1', 'Bonjour');
    await first.engine.receive(m, first.channel);
    await settle();
    first.responder.answer(0, 'Bonjour ! 👗');
    await settle();
    await first.engine.drain();

    const second = await run();
    expect(second.engine.recover(() => second.channel).resumed).toBe(0);
    await second.engine.receive(m, second.channel);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(second.responder.calls).toHaveLength(0);
    expect(second.channel.texts()).toEqual([]);
  });

  it('a message another engine journalled is dropped as a redelivery, yet this engine may adopt it later (shared mode takeover)', async () => {
    const first = await run();
    const m = message('c1', 'Bonjour');
    await first.engine.receive(m, first.channel);
    await crash(first.journal);

    const second = await run();
    // The redelivery reaches this engine first: the journal knows it, nothing is answered.
    await second.engine.receive(m, second.channel);
    await settle();
    expect(second.responder.calls).toHaveLength(0);
    // Then its chat comes here (the engine that took it died): it is taken, once.
    expect(second.engine.adopt([{ message: m }], () => second.channel).resumed).toBe(1);
    expect(second.engine.adopt([{ message: m }], () => second.channel).resumed).toBe(0);
    await settle();
    second.responder.answer(0, 'Bonjour ! 👗');
    await settle();
    expect(second.channel.texts()).toEqual(['Bonjour ! 👗']);
  });

  it('no second fallback after a restart: a shutdown sent it, the next start sends only the answer', async () => {
    const first = await run({ replyDeadlineMs: 3000 });
    await first.engine.receive(message('c1', 'Une robe pour un mariage ?'), first.channel);
    await vi.advanceTimersByTimeAsync(1000);
    const drained = first.engine.drain(); // shutdown: the fallback goes out by the deadline, the answer is left to the next start
    await vi.advanceTimersByTimeAsync(2000);
    await drained;
    expect(first.channel.texts('c1')).toEqual([FALLBACK]);

    const second = await run({ replyDeadlineMs: 3000 });
    second.engine.recover(() => second.channel);
    await vi.advanceTimersByTimeAsync(5000);
    second.responder.answer(0, 'La Robe Cocktail Bordeaux, 45 000 FCFA.');
    await settle();
    expect(second.channel.texts('c1')).toEqual(['La Robe Cocktail Bordeaux, 45 000 FCFA.']);
    expect(await metricValue(second.metrics, 'akwaba_replies_total', { kind: 'late_answer' })).toBe(1);
    expect(await metricValue(second.metrics, 'akwaba_fallbacks_total')).toBe(0);
  });

  it('a message past its deadline when taken back gets its fallback at once, then the answer', async () => {
    const first = await run({ replyDeadlineMs: 3000 });
    await first.engine.receive(message('c1', 'Allô ?'), first.channel);
    await vi.advanceTimersByTimeAsync(2000);
    await crash(first.journal);
    await vi.advanceTimersByTimeAsync(5000); // the bot is down

    const second = await run({ replyDeadlineMs: 3000 });
    second.engine.recover(() => second.channel);
    await settle();
    expect(second.channel.texts('c1')).toEqual([FALLBACK]);
    second.responder.answer(0, 'Oui ?');
    await settle();
    expect(second.channel.texts('c1')).toEqual([FALLBACK, 'Oui ?']);
  });

  it('a message too old to answer gets one short apology per chat, without the model, and only once', async () => {
    const first = await run();
    await first.engine.receive(message('c1', 'Vous avez la taille M ?'), first.channel);
    await first.engine.receive(message('c1', 'Allô ?'), first.channel);
    await crash(first.journal);
    await vi.advanceTimersByTimeAsync(11 * 60_000);

    const second = await run();
    expect(second.engine.recover(() => second.channel)).toMatchObject({ resumed: 0, apologised: 2 });
    await settle();
    await second.journal.flush();
    expect(second.channel.texts('c1')).toEqual([STALE_APOLOGY]);
    expect(second.responder.calls).toHaveLength(0);

    const third = await run();
    expect(third.engine.recover(() => third.channel)).toMatchObject({ resumed: 0, apologised: 0 });
  });

  it('a message older than a day is given up; one whose channel is not running waits for a later start', async () => {
    const first = await run();
    await first.engine.receive(message('c1', 'Bonjour'), first.channel);
    await first.engine.receive(customerMessage('w1', 'Bonsoir', 'text', 'whatsapp'), first.channel);
    await crash(first.journal);
    await vi.advanceTimersByTimeAsync(60_000);

    const second = await run();
    expect(second.engine.recover((name) => (name === 'telegram' ? second.channel : undefined))).toMatchObject({ resumed: 1, waiting: 1 });
    await crash(second.journal);
    await vi.advanceTimersByTimeAsync(25 * 60 * 60_000);

    const third = await run();
    expect(third.engine.recover(() => third.channel)).toMatchObject({ resumed: 0, expired: 2 });
    await third.journal.flush();
    expect(third.journal.unanswered()).toEqual([]);
  });

  it('a failed turn followed by a new message: the next turn takes both, and its answer closes both', async () => {
    const { engine, responder, channel, journal } = await run();
    await engine.receive(message('c1', 'Bonjour'), channel);
    await vi.advanceTimersByTimeAsync(100);
    await engine.receive(message('c1', 'je cherche une robe'), channel);
    responder.fail(0, new ResponderError('401 invalid key', 'provider_error'));
    await settle();
    // Nothing to say yet: the next turn is already on it, well within the deadline.
    expect(channel.texts('c1')).toEqual([]);
    expect(responder.calls[1]!.history.map((entry) => entry.content)).toEqual(['Bonjour', 'je cherche une robe']);
    responder.answer(1, 'Quelle taille ?');
    await settle();
    await journal.flush();
    expect(channel.texts('c1')).toEqual(['Quelle taille ?']);
    expect(journal.unanswered()).toEqual([]);
  });

  it('a fallback alone does not close a message; a photo reply closes only the photo', async () => {
    const { engine, responder, channel, journal } = await run();
    await engine.receive(message('c1', 'Bonjour'), channel);
    await engine.receive(customerMessage('c1', '', 'photo', 'telegram'), channel);
    await vi.advanceTimersByTimeAsync(8000);
    await journal.flush();
    expect(channel.texts('c1')[0]).toMatch(/votre photo/);
    expect(channel.texts('c1')[1]).toBe(FALLBACK);
    expect(journal.unanswered().map((entry) => entry.message.text)).toEqual(['Bonjour']);
    responder.answer(0, 'Bonjour !');
    await settle();
    await journal.flush();
    expect(journal.unanswered()).toEqual([]);
  });

  it('an unavailable answer is a real answer: nothing is taken back after it', async () => {
    const { engine, responder, channel, journal } = await run();
    await engine.receive(message('c1', 'Bonjour'), channel);
    await settle();
    responder.fail(0, new ResponderError('401 invalid key', 'provider_error'));
    await settle();
    await journal.flush();
    expect(channel.texts('c1')).toHaveLength(1);
    expect(channel.texts('c1')[0]).toMatch(UNAVAILABLE);
    expect(journal.unanswered()).toEqual([]);
  });

  it('a handed-off conversation: its messages are closed, never taken back', async () => {
    const { engine, responder, channel, journal } = await run({ isHandedOff: () => true });
    await engine.receive(message('c1', 'Je veux parler à quelqu’un'), channel);
    await journal.flush();
    expect(responder.calls).toHaveLength(0);
    expect(journal.unanswered()).toEqual([]);
  });

  it('a broken journal does not silence the customer: the message is answered anyway', async () => {
    const { engine, responder, channel, journal } = await run();
    await journal.close();
    await engine.receive(message('c1', 'Bonjour'), channel);
    await settle();
    responder.answer(0, 'Bonjour !');
    await settle();
    expect(channel.texts('c1')).toEqual(['Bonjour !']);
  });

  it('shows typing on receipt, before the journal write is durable, and only once', async () => {
    let durable: () => void = () => undefined;
    const journal = await openJournal(dir);
    journals.push(journal);
    const slowDisk: InboundJournal = {
      ...journal,
      record: (m) => new Promise((resolve) => (durable = () => resolve(journal.record(m)))),
    };
    const responder = createScriptedResponder();
    const channel = createRecordingChannel('telegram');
    const { engine } = createTestEngine(responder, { journal: slowDisk, history });
    const taken = engine.receive(message('c1', 'Bonjour'), channel);
    expect(channel.typings('c1')).toHaveLength(1); // the disk has not answered yet
    expect(responder.calls).toHaveLength(0);
    durable();
    await taken;
    await settle();
    expect(responder.calls).toHaveLength(1);
    expect(channel.typings('c1')).toHaveLength(1);
    responder.answer(0, 'Bonjour !');
    await settle();
    expect(channel.texts('c1')).toEqual(['Bonjour !']);
  });

  it('shows no typing for a conversation a person of the shop has taken', async () => {
    const { engine, channel, responder } = await run({ isHandedOff: () => true });
    await engine.receive(message('c1', 'Bonjour'), channel);
    await settle();
    expect(channel.typings('c1')).toHaveLength(0);
    expect(responder.calls).toHaveLength(0);
  });
});
