import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MediaDownloadError } from '../../../src/core/media.js';
import type { IncomingMessage } from '../../../src/core/message.js';
import { startCloudChannel, type CloudChannelHarness } from '../../support/cloud-channel.js';

const NOTE = readFileSync(new URL('../../fixtures/voice/bonjour-robe-yopougon.ogg', import.meta.url));
const AWA = '2250701020304';
const limits = (maxBytes = 20 * 1024 * 1024) => ({ signal: new AbortController().signal, maxBytes });

/** The core's `downloadMedia(message)` on the Cloud API: the media id from the payload, Meta's refusals as the core's errors. */
describe('WhatsApp Cloud API voice notes', () => {
  let harness: CloudChannelHarness;
  let received: IncomingMessage[];

  async function voiceNote(media: { id: string; sha256: string }): Promise<IncomingMessage> {
    await harness.meta.customerSends(AWA, { type: 'audio', audio: { mime_type: 'audio/ogg; codecs=opus', sha256: media.sha256, id: media.id, voice: true } });
    await vi.waitFor(() => expect(received.length).toBeGreaterThan(0));
    return received.shift()!;
  }

  afterEach(async () => {
    await harness.close();
  });

  async function start(maxMediaBytes?: number) {
    received = [];
    harness = await startCloudChannel(maxMediaBytes === undefined ? {} : { maxMediaBytes });
    await harness.channel.start(async (message) => void received.push(message));
  }

  it('downloads a voice note by the media id in its payload, as voice.ogg of type audio/ogg', async () => {
    await start();
    const message = await voiceNote(harness.graph.addMedia(NOTE, 'audio/ogg; codecs=opus'));
    expect(message.kind).toBe('voice');
    const audio = await harness.channel.downloadMedia(message, limits());
    expect(Buffer.from(audio.data).equals(NOTE)).toBe(true);
    expect(audio).toMatchObject({ mimeType: 'audio/ogg', fileName: 'voice.ogg' });
  });

  it('says too_large for a note over the limit (the core’s, or the channel’s), failed for a corrupt one, no_media for a text', async () => {
    await start(NOTE.byteLength + 100);
    const message = await voiceNote(harness.graph.addMedia(NOTE, 'audio/ogg; codecs=opus'));
    const small = await harness.channel.downloadMedia(message, limits(1000)).catch((e: unknown) => e);
    expect(small).toBeInstanceOf(MediaDownloadError);
    expect(small).toMatchObject({ code: 'too_large' });
    const big = await voiceNote(harness.graph.addMedia(Buffer.concat([NOTE, Buffer.alloc(200)]), 'audio/ogg; codecs=opus'));
    await expect(harness.channel.downloadMedia(big, limits())).rejects.toMatchObject({ code: 'too_large' });
    const corrupt = await voiceNote(harness.graph.addMedia(NOTE, 'audio/ogg; codecs=opus', { sha256: 'a'.repeat(64) }));
    await expect(harness.channel.downloadMedia(corrupt, limits())).rejects.toMatchObject({ code: 'failed' });
    await harness.meta.customerWrites(AWA, 'Bonjour');
    await vi.waitFor(() => expect(received).toHaveLength(1));
    await expect(harness.channel.downloadMedia(received[0]!, limits())).rejects.toMatchObject({ code: 'no_media' });
  });
});
