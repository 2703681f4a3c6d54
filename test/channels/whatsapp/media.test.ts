import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MediaDownloadError } from '../../../src/core/media.js';
import type { IncomingMessage } from '../../../src/core/message.js';
import { fixtures, whatsappMessage } from './fake-client.js';
import { startWhatsApp, type StartedWhatsApp } from './start.js';

const NOTE = readFileSync(new URL('../../fixtures/voice/bonjour-robe-yopougon.ogg', import.meta.url));
const AWA = '2250701020304@c.us';
const wait = { timeout: 2500, interval: 10 };
const limits = (maxBytes = 20 * 1024 * 1024) => ({ signal: new AbortController().signal, maxBytes });

describe('WhatsApp voice notes (adapter on a fake whatsapp-web.js client)', () => {
  let started: StartedWhatsApp | undefined;
  const start = async () => {
    started = await startWhatsApp();
    await vi.waitFor(() => expect(started?.adapter.status().state).toBe('ready'), wait);
    return started;
  };
  afterEach(async () => {
    await started?.close();
    started = undefined;
  });

  it('hands over a voice note with its length, size and type, and downloads it through Message.downloadMedia()', async () => {
    const { whatsapp, adapter, received } = await start();
    whatsapp.customerSpeaks(AWA, NOTE, { durationSec: 5 });
    expect(received[0]).toMatchObject({ kind: 'voice', text: '', media: { durationSec: 5, sizeBytes: NOTE.byteLength, mimeType: 'audio/ogg' } });
    const audio = await adapter.downloadMedia!(received[0]!, limits());
    expect(Buffer.from(audio.data).equals(NOTE)).toBe(true);
    expect(audio).toMatchObject({ mimeType: 'audio/ogg', fileName: 'voice.ogg' });
    expect(whatsapp.count('downloadMedia')).toBe(1);
    expect(whatsapp.count('getMessageById')).toBe(0);
  });

  it('reads the length of the fixture’s voice note as WhatsApp Web gives it', async () => {
    const { whatsapp, received } = await start();
    whatsapp.deliver(whatsappMessage(fixtures.ptt));
    expect(received[0]!.media).toEqual({ durationSec: 7, sizeBytes: 11_834, mimeType: 'audio/ogg' });
  });

  it('finds a message taken back from the journal (plain data) again by its id', async () => {
    const { whatsapp, adapter, received } = await start();
    whatsapp.customerSpeaks(AWA, NOTE, { durationSec: 5 });
    const fromJournal = JSON.parse(JSON.stringify(received[0]!)) as IncomingMessage;
    const audio = await adapter.downloadMedia!(fromJournal, limits());
    expect(Buffer.from(audio.data).equals(NOTE)).toBe(true);
    expect(whatsapp.count('getMessageById')).toBe(1);
  });

  it('says unavailable when WhatsApp no longer has the media, failed when the browser call throws', async () => {
    const { whatsapp, adapter, received } = await start();
    const message = whatsapp.customerSpeaks(AWA, NOTE, { durationSec: 5 });
    whatsapp.media.set(message.id._serialized, null);
    const expired = await adapter.downloadMedia!(received[0]!, limits()).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(MediaDownloadError);
    expect(expired).toMatchObject({ code: 'unavailable' });
    whatsapp.failNext('downloadMedia', new Error('Evaluation failed: TypeError: Failed to fetch'));
    await expect(adapter.downloadMedia!(received[0]!, limits())).rejects.toMatchObject({ code: 'failed' });
  });

  it('refuses a note over the limit, before downloading when WhatsApp gave its size', async () => {
    const { whatsapp, adapter, received } = await start();
    whatsapp.customerSpeaks(AWA, NOTE, { durationSec: 5 });
    await expect(adapter.downloadMedia!(received[0]!, limits(1000))).rejects.toMatchObject({ code: 'too_large' });
    expect(whatsapp.count('downloadMedia')).toBe(0);
    const { media: _size, ...unsized } = received[0]!;
    await expect(adapter.downloadMedia!(unsized, limits(1000))).rejects.toMatchObject({ code: 'too_large' });
    expect(whatsapp.count('downloadMedia')).toBe(1);
  });

  it('gives up a slow browser call when its signal aborts', async () => {
    const { whatsapp, adapter, received } = await start();
    whatsapp.customerSpeaks(AWA, NOTE, { durationSec: 5 });
    whatsapp.setLatency('downloadMedia', 3000);
    const controller = new AbortController();
    const pending = adapter.downloadMedia!(received[0]!, { signal: controller.signal, maxBytes: 20 * 1024 * 1024 });
    const reason = new Error('turn over');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});
