import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/infra/logger.js';
import { createRecorder } from '../../src/records/recorder.js';
import { StoreError } from '../../src/store/errors.js';
import type { ConversationEvent } from '../../src/store/records.js';
import type { IncomingMessage } from '../../src/core/message.js';

const logger = createLogger({ level: 'silent' });

function message(chatId: string, text: string, id = '1'): IncomingMessage {
  return { channel: 'telegram', chatId, messageId: id, kind: 'text', text, from: { id: chatId, name: 'Awa Koné' }, receivedAt: 1_000, raw: {} };
}

/** A store whose recordEvents can be switched off, remembering every batch it took. */
function fakeStore() {
  const batches: ConversationEvent[][] = [];
  const state = { down: false, calls: 0 };
  return {
    batches,
    state,
    all: () => batches.flat(),
    async recordEvents(events: readonly ConversationEvent[]) {
      state.calls += 1;
      if (state.down) throw new StoreError('events.record', { code: 'store_unavailable', message: 'connection refused' });
      batches.push([...events]);
    },
  };
}

describe('the recorder', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('turns messages and replies into events, written together a second later', async () => {
    const store = fakeStore();
    const recorder = createRecorder({ store, logger });
    recorder.observer.messageReceived!(message('42', 'Bonjour, je cherche une robe'));
    recorder.observer.replySent!({ channel: 'telegram', chatId: '42', kind: 'fallback', reason: 'timeout', text: 'Désolé…', at: 9_000, messageIds: ['1'] });
    recorder.observer.replySent!({ channel: 'telegram', chatId: '42', kind: 'human', text: 'Bonjour, c’est Aya', at: 20_000, messageIds: [] });
    expect(store.state.calls).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.batches).toHaveLength(1);
    const [received, fallback, human] = store.all();
    expect(received).toMatchObject({ at: 1_000, channel: 'telegram', chatId: '42', direction: 'in', kind: 'text', messageId: '1', text: 'Bonjour, je cherche une robe', customerName: 'Awa Koné', reason: null });
    expect(fallback).toMatchObject({ at: 9_000, direction: 'out', kind: 'fallback', reason: 'timeout', replyTo: ['1'], messageId: null, modelLatencyMs: null });
    expect(human).toMatchObject({ direction: 'out', kind: 'human' });
    expect(new Set(store.all().map((e) => e.id)).size).toBe(3);
  });

  it('writes at once when a batch is full, in batches of batchSize', async () => {
    const store = fakeStore();
    const recorder = createRecorder({ store, logger, batchSize: 3 });
    for (let i = 0; i < 7; i++) recorder.observer.messageReceived!(message('1', `m${i}`, String(i)));
    // Batch after batch, a turn of the event loop between them (timers due go first), long before the 1 s delay.
    await vi.advanceTimersByTimeAsync(10);
    expect(store.batches.map((b) => b.length)).toEqual([3, 3, 1]);
  });

  it('keeps events while the database is down, retries with backoff, then writes them in order', async () => {
    const store = fakeStore();
    store.state.down = true;
    const recorder = createRecorder({ store, logger, flushDelayMs: 1_000, maxRetryDelayMs: 8_000 });
    recorder.observer.messageReceived!(message('1', 'a', 'a'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.state.calls).toBe(1);
    recorder.observer.messageReceived!(message('1', 'b', 'b'));
    await vi.advanceTimersByTimeAsync(2_000); // 2 s after the first failure
    expect(store.state.calls).toBe(2);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(store.state.calls).toBe(3);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(store.state.calls).toBe(4);
    await vi.advanceTimersByTimeAsync(8_000); // capped at maxRetryDelayMs
    expect(store.state.calls).toBe(5);
    expect(recorder.waiting()).toBe(2);
    store.state.down = false;
    await vi.advanceTimersByTimeAsync(8_000);
    expect(store.all().map((e) => e.text)).toEqual(['a', 'b']);
    expect(recorder.waiting()).toBe(0);
    recorder.observer.messageReceived!(message('1', 'c', 'c'));
    await vi.advanceTimersByTimeAsync(1_000); // back to the normal pace
    expect(store.all().map((e) => e.text)).toEqual(['a', 'b', 'c']);
  });

  it('keeps at most maxWaiting events, dropping the oldest', async () => {
    const store = fakeStore();
    store.state.down = true;
    const recorder = createRecorder({ store, logger, maxWaiting: 3 });
    for (const text of ['1', '2', '3', '4', '5']) recorder.observer.messageReceived!(message('1', text, text));
    expect(recorder.waiting()).toBe(3);
    store.state.down = false;
    await recorder.flush();
    expect(store.all().map((e) => e.text)).toEqual(['3', '4', '5']);
  });

  it('never throws into the engine and never waits for the store', () => {
    const recorder = createRecorder({ store: { recordEvents: () => new Promise<void>(() => undefined) }, logger });
    const started = performance.now();
    for (let i = 0; i < 1000; i++) recorder.observer.messageReceived!(message('1', 'x', String(i)));
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('cuts very long texts', async () => {
    const store = fakeStore();
    const recorder = createRecorder({ store, logger, maxTextChars: 10 });
    recorder.observer.messageReceived!(message('1', 'x'.repeat(50)));
    await recorder.flush();
    expect(store.all()[0]!.text).toBe(`${'x'.repeat(10)}…`);
  });
});

describe('the recorder at shutdown', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'akwaba-records-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  });

  it('writes what waits; what the database refuses goes to the spill file and comes back at the next start', async () => {
    const spillFile = join(dir, 'records-waiting.json');
    const store = fakeStore();
    store.state.down = true;
    const first = createRecorder({ store, logger, spillFile });
    await first.start();
    first.observer.messageReceived!(message('7', 'Allô ?', 'x'));
    await first.stop();
    expect(JSON.parse(readFileSync(spillFile, 'utf8'))).toHaveLength(1);

    store.state.down = false;
    const second = createRecorder({ store, logger, spillFile });
    await second.start();
    expect(store.all().map((e) => [e.chatId, e.text])).toEqual([['7', 'Allô ?']]);
    expect(() => readFileSync(spillFile)).toThrow();
    second.observer.messageReceived!(message('7', 'Merci', 'y'));
    await second.stop();
    expect(store.all()).toHaveLength(2);
  });
});

describe('the recorder and voice notes', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const voiceNote = (id: string): IncomingMessage => ({ ...message('42', '', id), kind: 'voice', media: { durationSec: 7 } });
  const HEARD = { transcript: 'Vous livrez à Yopougon ?' };

  it('records a voice note by its length, then rewrites the same event with its transcript', async () => {
    const store = fakeStore();
    const recorder = createRecorder({ store, logger });
    recorder.observer.messageReceived!(voiceNote('v1'));
    recorder.recordVoice(voiceNote('v1'), HEARD);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.all().map((e) => [e.kind, e.text])).toEqual([['voice', '🎤 0:07 — « Vous livrez à Yopougon ? »']]);

    recorder.observer.messageReceived!(voiceNote('v2'));
    await vi.advanceTimersByTimeAsync(1_000);
    recorder.recordVoice(voiceNote('v2'), { failure: 'too_long' });
    await vi.advanceTimersByTimeAsync(1_000);
    const [, received, rewritten] = store.all();
    expect(received).toMatchObject({ text: '🎤 0:07', messageId: 'v2' });
    expect(rewritten).toMatchObject({ id: received!.id, text: '🎤 0:07 — (trop long, non écouté)', direction: 'in', kind: 'voice' });
    expect(received!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sends one copy per event: a rewrite made while the first write was in flight, and failed, wins', async () => {
    const batches: ConversationEvent[][] = [];
    let fail: () => void = () => undefined;
    let first = true;
    const store = {
      async recordEvents(events: readonly ConversationEvent[]) {
        if (first) {
          first = false;
          await new Promise<void>((_resolve, reject) => {
            fail = () => reject(new StoreError('events.record', { code: 'store_unavailable', message: 'connection reset' }));
          });
        }
        batches.push([...events]);
      },
    };
    const recorder = createRecorder({ store, logger });
    recorder.observer.messageReceived!(voiceNote('v1'));
    const inFlight = recorder.flush();
    recorder.recordVoice(voiceNote('v1'), HEARD);
    fail();
    await inFlight;
    await recorder.flush();
    expect(batches).toEqual([[expect.objectContaining({ text: '🎤 0:07 — « Vous livrez à Yopougon ? »' })]]);
  });
});
