import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../src/core/channel.js';
import { MediaDownloadError, type DownloadedMedia } from '../../src/core/media.js';
import type { IncomingMessage, MediaInfo } from '../../src/core/message.js';
import type { MessageReader } from '../../src/core/reader.js';
import { createLogger } from '../../src/infra/logger.js';
import { createMetrics, type Metrics } from '../../src/infra/metrics.js';
import { createTranscriber } from '../../src/model/transcribe.js';
import { createVoiceReader, keepAudioIn, NO_KEY_TEXT, type VoiceHeard } from '../../src/voice/index.js';
import { customerMessage, metricValue } from '../support/engine-harness.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';

const NOTE = readFileSync(new URL('../fixtures/voice/bonjour-robe-yopougon.ogg', import.meta.url));
const SILENCE = readFileSync(new URL('../fixtures/voice/silence.ogg', import.meta.url));
const SAID = 'Bonjour, je cherche une robe pour un mariage. Vous livrez à Yopougon ?';

/** A channel whose `downloadMedia` hands out `audio` (or throws `failure`), counting the calls. */
function channelWith(audio: DownloadedMedia | MediaDownloadError): Channel & { downloads: number } {
  const channel = {
    name: 'test',
    downloads: 0,
    async sendText() {},
    async downloadMedia() {
      channel.downloads += 1;
      if (audio instanceof MediaDownloadError) throw audio;
      return audio;
    },
  };
  return channel;
}

const voiceNote = (media: MediaInfo, kind: 'voice' | 'audio' = 'voice'): IncomingMessage => ({ ...customerMessage('c1', '', kind), media });
const ogg = (data: Uint8Array): DownloadedMedia => ({ data, fileName: 'voice.ogg', mimeType: 'audio/ogg' });

describe('createVoiceReader', () => {
  let openai: FakeOpenAI;
  let metrics: Metrics;
  let heard: VoiceHeard[];
  const signal = () => new AbortController().signal;
  const reader = (overrides: { key?: boolean; keepDir?: string } = {}): MessageReader =>
    createVoiceReader({
      transcriber:
        overrides.key === false
          ? null
          : createTranscriber({
              client: new OpenAI({ apiKey: 'sk-test', baseURL: `${openai.url}/v1`, maxRetries: 0 }),
              model: 'gpt-4o-mini-transcribe',
              language: 'fr',
            }),
      metrics,
      logger: createLogger({ level: 'silent' }),
      maxSeconds: 120,
      maxWaitMs: 1500,
      onHeard: (_message, note) => heard.push(note),
      ...(overrides.keepDir && { keepAudio: keepAudioIn(overrides.keepDir) }),
    });
  const failures = (reason: string) => metricValue(metrics, 'akwaba_voice_failures_total', { reason });

  beforeEach(async () => {
    openai = await startFakeOpenAI();
    openai.audio.knows(NOTE, SAID);
    metrics = createMetrics({ defaults: false });
    heard = [];
  });
  afterEach(async () => {
    await openai.close();
  });

  it('hears a voice note: its transcript is the text, the records are told, the metrics count it', async () => {
    const channel = channelWith(ogg(NOTE));
    expect(await reader()(voiceNote({ durationSec: 5 }), channel, signal())).toEqual({ text: SAID });
    expect(heard).toEqual([{ transcript: SAID, durationSec: 5 }]);
    expect(await metricValue(metrics, 'akwaba_voice_notes_total', { channel: 'test', kind: 'voice' })).toBe(1);
    expect(await metricValue(metrics, 'akwaba_transcription_latency_seconds', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(await metricValue(metrics, 'akwaba_transcribed_audio_seconds_total')).toBe(5);
  });

  it('passes a text message through untouched, without a word to OpenAI', async () => {
    expect(await reader()(customerMessage('c1', 'Bonjour'), channelWith(ogg(NOTE)), signal())).toEqual({ text: 'Bonjour' });
    expect(openai.audio.requests).toHaveLength(0);
  });

  it('without a key, asks the customer to write, in the exact words', async () => {
    const channel = channelWith(ogg(NOTE));
    expect(await reader({ key: false })(voiceNote({ durationSec: 5 }), channel, signal())).toEqual({ refusal: NO_KEY_TEXT });
    expect(channel.downloads).toBe(0);
    expect(await failures('no_key')).toBe(1);
  });

  it('refuses a note longer than VOICE_MAX_SECONDS before downloading it', async () => {
    const channel = channelWith(ogg(NOTE));
    const result = await reader()(voiceNote({ durationSec: 121 }), channel, signal());
    expect(result).toEqual({ refusal: expect.stringContaining('moins de 2 minutes') });
    expect(channel.downloads).toBe(0);
    expect(heard).toEqual([{ failure: 'too_long', durationSec: 121 }]);
  });

  it('measures a note whose platform gave no length, and refuses it when too long', async () => {
    const strict = createVoiceReader({
      transcriber: createTranscriber({ client: new OpenAI({ apiKey: 'sk-test', baseURL: `${openai.url}/v1`, maxRetries: 0 }), model: 'gpt-4o-mini-transcribe', language: 'fr' }),
      metrics,
      logger: createLogger({ level: 'silent' }),
      maxSeconds: 4,
      maxWaitMs: 1000,
    });
    expect(await reader()(voiceNote({}), channelWith(ogg(NOTE)), signal())).toEqual({ text: SAID });
    expect(await strict(voiceNote({}), channelWith(ogg(NOTE)), signal())).toEqual({ refusal: expect.stringContaining('moins de 4 secondes') });
    expect(openai.audio.requests).toHaveLength(1);
  });

  it('refuses a file over 20 MB before downloading it, and one the channel finds too large', async () => {
    const channel = channelWith(ogg(NOTE));
    expect(await reader()(voiceNote({ sizeBytes: 21 * 1024 * 1024 }), channel, signal())).toHaveProperty('refusal');
    expect(channel.downloads).toBe(0);
    const refusing = channelWith(new MediaDownloadError('too big', 'too_large'));
    expect(await reader()(voiceNote({}), refusing, signal())).toEqual({ refusal: expect.stringContaining('un peu long') });
    expect(await failures('too_large')).toBe(2);
  });

  it('asks to send it again when the download fails, or the channel cannot download', async () => {
    const failing = channelWith(new MediaDownloadError('gone', 'unavailable'));
    expect(await reader()(voiceNote({ durationSec: 5 }), failing, signal())).toEqual({ refusal: expect.stringContaining("pas pu récupérer") });
    const noDownloads: Channel = { name: 'test', async sendText() {} };
    expect(await reader()(voiceNote({ durationSec: 5 }), noDownloads, signal())).toEqual({ refusal: expect.stringContaining("pas pu récupérer") });
    expect(await failures('download_failed')).toBe(2);
    expect(openai.audio.requests).toHaveLength(0);
  });

  it('does not pass on silence, noise or a doubtful transcript: it asks to say it again', async () => {
    openai.audio.setTranscript((request) =>
      request.file.data.equals(SILENCE) ? '' : request.prompt === 'x' ? 'x' : { text: 'Sous-titres réalisés par la communauté d’Amara.org' },
    );
    expect(await reader()(voiceNote({ durationSec: 2 }), channelWith(ogg(SILENCE)), signal())).toEqual({
      refusal: expect.stringContaining("pas bien entendu"),
    });
    expect(await reader()(voiceNote({ durationSec: 5 }), channelWith(ogg(NOTE)), signal())).toHaveProperty('refusal');
    openai.audio.setTranscript(() => ({ text: 'robe ... wax ?', logprob: -2.5 }));
    expect(await reader()(voiceNote({ durationSec: 5 }), channelWith(ogg(NOTE)), signal())).toHaveProperty('refusal');
    expect(await failures('unintelligible')).toBe(3);
    expect(heard.map((note) => note.failure)).toEqual(['unintelligible', 'unintelligible', 'unintelligible']);
  });

  it('passes a number said alone (no letters): a phone number is words too', async () => {
    openai.audio.setTranscript(() => '07 08 09 10 11');
    expect(await reader()(voiceNote({ durationSec: 4 }), channelWith(ogg(NOTE)), signal())).toEqual({ text: '07 08 09 10 11' });
  });

  it('asks to write when the provider keeps failing after its retries', async () => {
    openai.audio.setDefault({ status: 503 });
    const result = await reader()(voiceNote({ durationSec: 5 }), channelWith(ogg(NOTE)), signal());
    expect(result).toEqual({ refusal: expect.stringContaining("Je n'arrive pas à écouter") });
    expect(openai.audio.requests.length).toBeGreaterThan(1);
    expect(await failures('provider_error')).toBe(1);
    expect(await metricValue(metrics, 'akwaba_transcription_latency_seconds', { outcome: 'error' })).toBeGreaterThan(0);
  });

  it('rejects with the turn’s reason when its signal aborts, so the core sends the fallback', async () => {
    openai.audio.setDefault({ hang: true });
    const controller = new AbortController();
    const pending = reader()(voiceNote({ durationSec: 5 }), channelWith(ogg(NOTE)), controller.signal);
    await openai.audio.waitForRequests(1);
    const reason = new Error('turn over');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(await failures('timeout')).toBe(1);
    expect(heard).toEqual([{ failure: 'timeout', durationSec: 5 }]);
  });

  it('keeps the audio on disk only when asked to, under pseudonyms', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'akwaba-voice-'));
    try {
      const message = { ...voiceNote({ durationSec: 5 }), channel: 'whatsapp', chatId: '2250701020304@c.us' };
      await reader()(message, channelWith(ogg(NOTE)), signal());
      expect(readdirSync(dir)).toEqual([]);
      await reader({ keepDir: dir })(message, channelWith(ogg(NOTE)), signal());
      const [folder] = readdirSync(join(dir, 'whatsapp'));
      expect(folder).toMatch(/^[0-9a-f]{12}$/);
      const [file] = readdirSync(join(dir, 'whatsapp', folder!));
      expect(file).toMatch(/^\d{4}-.*-[0-9a-f]{12}\.ogg$/);
      expect(file).not.toContain('2250701020304');
      expect(readFileSync(join(dir, 'whatsapp', folder!, file!)).equals(NOTE)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
