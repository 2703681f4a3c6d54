import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WhatsAppCloudChannelOptions } from '../../../channels/whatsapp-cloud/index.js';
import type { IncomingMessage } from '../../../src/core/message.js';
import { startCloudChannel, type CloudChannelHarness } from '../../support/cloud-channel.js';

const AWA = '2250701020304';

/** The channel's life (the start-up check, a refused token, stop), the typing indicator, and media downloads. */
describe('WhatsApp Cloud API channel', () => {
  let harness: CloudChannelHarness;
  let notices: string[];
  let received: IncomingMessage[];

  async function start(overrides: Partial<WhatsAppCloudChannelOptions> = {}, before?: (harness: CloudChannelHarness) => void) {
    notices = [];
    received = [];
    harness = await startCloudChannel({ notifyOwner: (_key, text) => void notices.push(text), ...overrides });
    before?.(harness);
    await harness.channel.start(async (message) => void received.push(message));
    return harness;
  }

  afterEach(async () => {
    await harness.close();
  });

  it('is starting, then ready once Meta knows the number, showing its verified name', async () => {
    const { channel, graph } = await start({}, ({ graph }) => graph.setLatency('phone', 100));
    expect(channel.status().state).toBe('starting');
    await vi.waitFor(() => expect(channel.status()).toEqual({ state: 'ready', detail: 'Cloud API, Mode Ivoire' }));
    expect(graph.calls[0]).toMatchObject({ method: 'GET', path: `/v26.0/${graph.phoneNumberId}` });
  });

  it('keeps checking while the Graph API is down, and is ready when it is back', async () => {
    const { channel } = await start({}, ({ graph }) => graph.failNext('phone', { status: 503 }, { status: 503 }));
    await vi.waitFor(() => expect(channel.status().state).toBe('ready'));
  });

  it('says which variable is wrong when Meta refuses the token at start, and tells the owner', async () => {
    const { channel } = await start({}, ({ graph }) => graph.revokeToken());
    await vi.waitFor(() => expect(channel.status()).toEqual({ state: 'degraded', detail: expect.stringContaining('WHATSAPP_CLOUD_ACCESS_TOKEN') }));
    expect(notices).toHaveLength(1);
  });

  it('says which variable is wrong when Meta does not know the phone number id', async () => {
    const { channel } = await start({ phoneNumberId: '999999999999999' });
    await vi.waitFor(() => expect(channel.status()).toEqual({ state: 'degraded', detail: expect.stringContaining('WHATSAPP_CLOUD_PHONE_NUMBER_ID') }));
  });

  it('marks the customer message read with the typing indicator, and stays silent for a chat it has not heard from', async () => {
    const { channel, graph, meta } = await start();
    const wamid = await meta.customerWrites(AWA, 'Bonjour');
    expect(received.map((message) => message.messageId)).toEqual([wamid]);
    await channel.sendTyping!(AWA);
    expect(graph.typings(AWA).map((call) => call.body)).toEqual([
      { messaging_product: 'whatsapp', status: 'read', message_id: wamid, typing_indicator: { type: 'text' } },
    ]);
    await channel.sendTyping!('2250505060708');
    expect(graph.typings()).toHaveLength(1);
    expect(channel.typingRefreshMs).toBeLessThan(25_000);
  });

  it('downloads a voice note with the token, in Meta\'s two steps', async () => {
    const { channel, graph, meta } = await start();
    const opus = Buffer.from('OggS fake opus payload 🎤');
    const media = graph.addMedia(opus, 'audio/ogg; codecs=opus');
    await meta.customerSends(AWA, { type: 'audio', audio: { id: media.id, mime_type: 'audio/ogg; codecs=opus', sha256: media.sha256, voice: true } });
    const voice = received[0]!;
    expect(voice).toMatchObject({ kind: 'voice', text: '' });

    const downloaded = await channel.downloadMediaById((voice.raw as { audio: { id: string } }).audio.id);
    expect(downloaded).toEqual({ data: opus, mimeType: 'audio/ogg; codecs=opus' });
    expect(graph.calls.filter((call) => call.method === 'GET').map((call) => call.path.split('?')[0])).toEqual([
      `/v26.0/${graph.phoneNumberId}`,
      `/v26.0/${media.id}`,
      '/whatsapp_business/attachments/',
    ]);
  });

  it('refuses media that is too large, corrupt, or served from a host that is not Meta\'s (the token is not sent there)', async () => {
    const fetched: string[] = [];
    const spy: typeof fetch = (input, init) => {
      fetched.push(String(input));
      return fetch(input, init);
    };
    const { channel, graph } = await start({ fetch: spy, maxMediaBytes: 64 });
    const big = graph.addMedia(Buffer.alloc(65), 'image/jpeg');
    await expect(channel.downloadMediaById(big.id)).rejects.toMatchObject({ code: 'media_too_large' });
    const corrupt = graph.addMedia(Buffer.from('photo'), 'image/jpeg', { sha256: 'a'.repeat(64) });
    await expect(channel.downloadMediaById(corrupt.id)).rejects.toMatchObject({ code: 'media_corrupt' });
    const elsewhere = graph.addMedia(Buffer.from('photo'), 'image/jpeg', { url: 'http://attacker.example/steal' });
    await expect(channel.downloadMediaById(elsewhere.id)).rejects.toMatchObject({ code: 'media_untrusted_url' });
    expect(fetched.some((url) => url.includes('attacker.example'))).toBe(false);
  });

  it('after stop, refuses webhook posts with 503 so Meta delivers them again to the next start', async () => {
    const { channel, meta } = await start();
    await channel.stop();
    expect(channel.status().state).toBe('stopped');
    expect(await meta.post({ object: 'whatsapp_business_account', entry: [] })).toBe(503);
  });
});
