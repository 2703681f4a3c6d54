import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTranscriber, TranscriptionError, type Transcriber } from '../../src/model/transcribe.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';

const NOTE = readFileSync(new URL('../fixtures/voice/bonjour-robe-yopougon.ogg', import.meta.url));
const SAID = 'Bonjour, je cherche une robe pour un mariage. Vous livrez à Yopougon ?';
const audio = { data: NOTE, fileName: 'file_7.ogg', mimeType: 'audio/ogg' };

describe('createTranscriber (real OpenAI SDK against the fake /v1/audio/transcriptions)', () => {
  let openai: FakeOpenAI;
  const make = (options: { model?: string; attemptTimeoutMs?: number } = {}): Transcriber =>
    createTranscriber({
      client: new OpenAI({ apiKey: 'sk-test', baseURL: `${openai.url}/v1`, maxRetries: 0 }),
      model: options.model ?? 'gpt-4o-mini-transcribe',
      language: 'fr',
      prompt: () => 'Articles : Robe pagne wax. Livraison : Marcory (Zone 4), Yopougon.',
      ...(options.attemptTimeoutMs !== undefined && { attemptTimeoutMs: options.attemptTimeoutMs }),
    });
  const bounds = (ms = 10_000) => ({ signal: new AbortController().signal, giveUpAt: Date.now() + ms });

  beforeEach(async () => {
    openai = await startFakeOpenAI();
    openai.audio.knows(NOTE, SAID);
  });
  afterEach(async () => {
    await openai.close();
  });

  it('uploads the note byte for byte with the model, French, the shop words and logprobs, and returns the text', async () => {
    const transcript = await make().transcribe(audio, bounds());
    expect(transcript.text).toBe(SAID);
    expect(transcript.meanLogprob).toBeCloseTo(-0.05);
    const [request] = openai.audio.requests;
    expect(request).toMatchObject({
      model: 'gpt-4o-mini-transcribe',
      language: 'fr',
      responseFormat: 'json',
      include: ['logprobs'],
      prompt: 'Articles : Robe pagne wax. Livraison : Marcory (Zone 4), Yopougon.',
      file: { filename: 'file_7.ogg', contentType: 'audio/ogg' },
      outcome: 'answered',
    });
    expect(Buffer.compare(request!.file.data, NOTE)).toBe(0);
    expect(request!.headers.authorization).toBe('Bearer sk-test');
  });

  it('asks whisper-1 for no logprobs (it has none)', async () => {
    const transcript = await make({ model: 'whisper-1' }).transcribe(audio, bounds());
    expect(transcript).toEqual({ text: SAID });
    expect(openai.audio.requests[0]!.include).toEqual([]);
  });

  it('honours a 429 retry-after, and retries a 500 and a dropped connection', async () => {
    openai.audio.enqueue({ status: 429, retryAfterMs: 300 }, { status: 500 }, { reset: true });
    const started = Date.now();
    const transcript = await make().transcribe(audio, bounds());
    expect(transcript.text).toBe(SAID);
    expect(openai.audio.requests.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed', 'answered']);
    expect(openai.audio.requests[1]!.at - started).toBeGreaterThanOrEqual(300);
  });

  it('abandons a hung attempt and tries again', async () => {
    openai.audio.enqueue({ hang: true });
    const transcript = await make({ attemptTimeoutMs: 300 }).transcribe(audio, bounds());
    expect(transcript.text).toBe(SAID);
    expect(openai.audio.requests.map((r) => r.outcome)).toEqual(['aborted', 'answered']);
  });

  it('does not retry audio the provider refuses (400): bad_audio', async () => {
    const error = await make()
      .transcribe({ ...audio, fileName: 'file_7.oga' }, bounds())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TranscriptionError);
    expect(error).toMatchObject({ code: 'bad_audio' });
    expect(openai.audio.requests).toHaveLength(1);
  });

  it('gives up with rate_limit when the retry-after is past the last moment', async () => {
    openai.audio.enqueue({ status: 429, retryAfter: 30 });
    const error = await make().transcribe(audio, bounds(2000)).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TranscriptionError', code: 'rate_limit' });
    expect(openai.audio.requests).toHaveLength(1);
  });

  it('stops at once when its signal aborts (the turn is over): timeout', async () => {
    openai.audio.setDefault({ hang: true });
    const controller = new AbortController();
    const pending = make().transcribe(audio, { signal: controller.signal, giveUpAt: Date.now() + 60_000 });
    await openai.audio.waitForRequests(1);
    controller.abort(new Error('turn over'));
    await expect(pending).rejects.toMatchObject({ code: 'timeout' });
  });
});
