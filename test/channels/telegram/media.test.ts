import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTelegramChannel, type TelegramChannel } from '../../../channels/telegram/index.js';
import { MediaDownloadError } from '../../../src/core/media.js';
import type { IncomingMessage } from '../../../src/core/message.js';
import { createLogger } from '../../../src/infra/logger.js';
import { startFakeTelegram, type FakeTelegram } from '../../support/fake-telegram.js';

const NOTE = readFileSync(new URL('../../fixtures/voice/bonjour-robe-yopougon.ogg', import.meta.url));
const AYA = 6_012_345_678;
const MB = 1024 * 1024;

describe('Telegram voice notes (real grammY against the fake Bot API)', () => {
  let telegram: FakeTelegram;
  let channel: TelegramChannel;
  let received: IncomingMessage[];
  const limits = (maxBytes = 20 * MB) => ({ signal: new AbortController().signal, maxBytes });

  /** Pushes a voice note and waits for the channel to hand it over. */
  async function voiceNote(audio: Uint8Array | { size: number }, options: { durationSec: number; kind?: 'voice' | 'audio' } = { durationSec: 5 }) {
    telegram.pushVoice(AYA, audio, options);
    await vi.waitFor(() => expect(received.length).toBeGreaterThan(0), { timeout: 3000, interval: 10 });
    return received.shift()!;
  }

  beforeEach(async () => {
    telegram = await startFakeTelegram({ token: '654321:fake-token-for-the-local-bot-api' });
    channel = createTelegramChannel({ token: telegram.token, apiRoot: telegram.url, logger: createLogger({ level: 'silent' }), pollingTimeoutSeconds: 1 });
    received = [];
    await channel.start((message) => void received.push(message));
  });
  afterEach(async () => {
    await channel.stop();
    await telegram.close();
  });

  it('hands over a voice note with its length, size and type, and downloads it byte for byte as .ogg', async () => {
    const message = await voiceNote(NOTE, { durationSec: 5 });
    expect(message).toMatchObject({ kind: 'voice', text: '', media: { durationSec: 5, sizeBytes: NOTE.byteLength, mimeType: 'audio/ogg' } });
    const audio = await channel.downloadMedia!(message, limits());
    expect(Buffer.from(audio.data).equals(NOTE)).toBe(true);
    expect(audio.mimeType).toBe('audio/ogg');
    expect(audio.fileName).toMatch(/^file_\d+\.ogg$/); // Telegram's voice/file_N.oga
    expect(telegram.calls.filter((call) => call.method === 'getFile')).toHaveLength(1);
    expect(telegram.files.downloads).toEqual([expect.stringMatching(/^voice\/file_\d+\.oga$/)]);
  });

  it('downloads an audio file under its own name', async () => {
    const message = await voiceNote(NOTE, { durationSec: 5, kind: 'audio' });
    expect(message.kind).toBe('audio');
    const audio = await channel.downloadMedia!(message, limits());
    expect(audio).toMatchObject({ fileName: expect.stringMatching(/\.mp3$/), mimeType: 'audio/mpeg' });
  });

  it('refuses a file over the limit before asking Telegram for it', async () => {
    const message = await voiceNote({ size: 25 * MB }, { durationSec: 90 });
    const error = await channel.downloadMedia!(message, limits()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaDownloadError);
    expect(error).toMatchObject({ code: 'too_large' });
    expect(telegram.calls.filter((call) => call.method === 'getFile')).toHaveLength(0);
    const small = await voiceNote(NOTE);
    await expect(channel.downloadMedia!(small, limits(1000))).rejects.toMatchObject({ code: 'too_large' });
    expect(telegram.files.downloads).toEqual([]);
  });

  it('believes Telegram when getFile says the file is too big, whatever the message said', async () => {
    const message = await voiceNote({ size: 21 * MB });
    // A note may come without its size: then only getFile tells.
    const raw = structuredClone(message.raw) as { message: { voice: { file_size?: number } } };
    delete raw.message.voice.file_size;
    await expect(channel.downloadMedia!({ ...message, media: {}, raw }, limits())).rejects.toMatchObject({ code: 'too_large' });
    expect(telegram.calls.filter((call) => call.method === 'getFile')).toHaveLength(1);
  });

  it('says unavailable for a file that is gone (404), failed for a server error, and never puts the token in the error', async () => {
    const message = await voiceNote(NOTE);
    telegram.files.failNextDownload(404);
    const gone = await channel.downloadMedia!(message, limits()).catch((e: unknown) => e);
    expect(gone).toMatchObject({ code: 'unavailable' });
    telegram.files.failNextDownload(500);
    const failed = await channel.downloadMedia!(message, limits()).catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'failed' });
    for (const error of [gone, failed]) expect(JSON.stringify({ m: (error as Error).message, s: (error as Error).stack })).not.toContain(telegram.token);
    telegram.failNext('getFile', { status: 400, description: 'Bad Request: wrong file_id or the file is temporarily unavailable' });
    await expect(channel.downloadMedia!(message, limits())).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('stops a hung download when its signal aborts', async () => {
    const message = await voiceNote(NOTE);
    telegram.files.failNextDownload('hang');
    const controller = new AbortController();
    const pending = channel.downloadMedia!(message, { signal: controller.signal, maxBytes: 20 * MB });
    await telegram.waitFor((call) => call.method === 'getFile' && call.status === 200);
    const reason = new Error('turn over');
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
  });

  it('says no_media for a message without a voice note', async () => {
    telegram.pushMessage(AYA, 'Bonjour');
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 3000, interval: 10 });
    await expect(channel.downloadMedia!(received[0]!, limits())).rejects.toMatchObject({ code: 'no_media' });
  });
});
