import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GraphApiError, WhatsAppCloudError, type WhatsAppCloudChannelOptions } from '../../../channels/whatsapp-cloud/index.js';
import { startCloudChannel, type CloudChannelHarness } from '../../support/cloud-channel.js';

const AWA = '2250701020304';
const KOFI = '2250505060708';

/** Sending through the real channel over HTTP to the fake Graph API: splitting, Meta's limits, order, and what cannot be sent. */
describe('WhatsApp Cloud API: sending', () => {
  let harness: CloudChannelHarness;
  let notices: { key: string; text: string }[];
  let registry: Registry;

  async function start(overrides: Partial<WhatsAppCloudChannelOptions> = {}) {
    notices = [];
    registry = new Registry();
    harness = await startCloudChannel({ notifyOwner: (key, text) => void notices.push({ key, text }), registry, ...overrides });
    await harness.channel.start(async () => {});
    await vi.waitFor(() => expect(harness.channel.status().state).toBe('ready'));
    return harness;
  }

  const counter = async (name: string, labels: Record<string, string>) => {
    const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    return values.filter((value) => Object.entries(labels).every(([key, label]) => value.labels[key] === label)).reduce((sum, value) => sum + value.value, 0);
  };

  afterEach(async () => {
    await harness.close();
  });

  it('sends a text as Meta documents it, and splits a long one at 4096 characters, in order, losing nothing', async () => {
    const { channel, graph } = await start();
    await channel.sendText(AWA, 'Bonjour 🙂');
    expect(graph.sent(AWA)[0]?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: AWA,
      type: 'text',
      text: { preview_url: false, body: 'Bonjour 🙂' },
    });

    const paragraphs = Array.from({ length: 30 }, (_, index) => `Paragraphe ${index} : ${'pagne wax, bazin, kente '.repeat(12).trim()}.`);
    await channel.sendText(KOFI, paragraphs.join('\n\n'));
    const pieces = graph.texts(KOFI);
    expect(pieces.length).toBeGreaterThan(2);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(4096);
    expect(pieces.join('\n\n')).toBe(paragraphs.join('\n\n'));
  });

  it('retries the throughput limit (130429) and the pair rate limit (131056) with backoff, and keeps the chat in order', async () => {
    const { channel, graph } = await start();
    graph.failNext('messages', { code: 130429 }, { code: 131056 }, { code: 130429 });
    const first = channel.sendText(AWA, 'Désolé, je réfléchis trop. Un petit instant... 🤔');
    const second = first.then(() => channel.sendText(AWA, 'La robe en wax bleu existe en M, 15 000 FCFA.'));
    await second;
    expect(graph.texts(AWA)).toEqual(['Désolé, je réfléchis trop. Un petit instant... 🤔', 'La robe en wax bleu existe en M, 15 000 FCFA.']);
    expect(graph.calls.filter((call) => call.path.endsWith('/messages')).map((call) => call.status)).toEqual([400, 400, 400, 200, 200]);
    expect(await counter('akwaba_whatsapp_send_retries_total', { reason: 'throughput' })).toBe(2);
    expect(await counter('akwaba_whatsapp_send_retries_total', { reason: 'pair_rate' })).toBe(1);
  });

  it('retries a 5xx, a hung socket and a dropped connection, then delivers once', async () => {
    const { channel, graph } = await start({ attemptTimeoutMs: 200 });
    graph.failNext('messages', { status: 503 }, { hang: true }, { reset: true });
    await channel.sendText(AWA, 'Vous livrez à Yopougon ?');
    expect(graph.texts(AWA)).toEqual(['Vous livrez à Yopougon ?']);
    expect(await counter('akwaba_whatsapp_send_retries_total', { reason: 'transient' })).toBe(3);
  });

  it('gives up after the last try with the Graph API error, and does not retry what is final', async () => {
    const { channel, graph } = await start({ retry: { maxAttempts: 3, retryDelayMs: 1, pairRetryDelayMs: 1 } });
    graph.failNext('messages', { code: 130429 }, { code: 130429 }, { code: 130429 });
    await expect(channel.sendText(AWA, 'Bonjour')).rejects.toMatchObject({ name: 'GraphApiError', code: 130429 });
    expect(graph.calls).toHaveLength(4); // the start-up check, then three tries

    graph.failNext('messages', { code: 131026 });
    await expect(channel.sendText(AWA, 'Bonjour')).rejects.toBeInstanceOf(GraphApiError);
    expect(graph.calls).toHaveLength(5);
    expect(await counter('akwaba_whatsapp_errors_total', { code: '131026', source: 'send' })).toBe(1);
  });

  it('stops waiting at once when the send is aborted during a backoff', async () => {
    const { channel, graph } = await start({ retry: { retryDelayMs: 60_000 } });
    graph.failNext('messages', { code: 130429 });
    const controller = new AbortController();
    const sending = channel.sendText(AWA, 'Bonjour', { signal: controller.signal });
    await vi.waitFor(() => expect(graph.calls.some((call) => call.path.endsWith('/messages') && call.status === 400)).toBe(true));
    controller.abort(new Error('shutting down'));
    await expect(sending).rejects.toThrow('shutting down');
    expect(graph.sent(AWA)).toEqual([]);
  });

  it('does not send to a customer whose 24-hour window is closed (131047): the owner gets the message instead', async () => {
    const { channel, graph } = await start();
    graph.failNext('messages', { code: 131047 });
    await channel.sendText(AWA, `Votre commande est confirmée.\n\n${'Détail : robe wax. '.repeat(300)}`);
    expect(graph.sent(AWA)).toEqual([]);
    expect(graph.calls.filter((call) => call.path.endsWith('/messages'))).toHaveLength(1); // the other pieces are not tried
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toContain(`+${AWA}`);
    expect(notices[0]!.text).toContain('Votre commande est confirmée.');
    expect(notices[0]!.key).not.toContain(AWA);
  });

  it('a refused token (190): the send fails, /healthz says degraded, the owner is told once; a working token brings it back', async () => {
    const { channel, graph } = await start();
    graph.revokeToken();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(channel.sendText(AWA, 'Bonjour')).rejects.toMatchObject({ name: 'WhatsAppCloudError', code: 'token_refused' });
    }
    expect(channel.status()).toEqual({ state: 'degraded', detail: expect.stringContaining('WHATSAPP_CLOUD_ACCESS_TOKEN') });
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toMatch(/jeton d'accès/);
    expect(graph.calls.filter((call) => call.path.endsWith('/messages'))).toHaveLength(3); // no retry of a refused token

    graph.restoreToken();
    await channel.sendText(AWA, 'Bonjour');
    expect(channel.status().state).toBe('ready');
  });

  it('sends a product photo by link with its caption cut to 1024 characters', async () => {
    const { channel, graph } = await start();
    await channel.sendPhoto!(AWA, 'https://shop.example/robe-wax.jpg', `Robe wax bleue, 15 000 FCFA. ${'Tailles S à XL. '.repeat(100)}`);
    const body = graph.sent(AWA)[0]!.body as { type: string; image: { link: string; caption: string } };
    expect(body.type).toBe('image');
    expect(body.image.link).toBe('https://shop.example/robe-wax.jpg');
    expect(body.image.caption).toHaveLength(1024);
    expect(body.image.caption.endsWith('…')).toBe(true);
  });

  it('offers reply buttons, a list, or whichever fits, in shapes Meta accepts', async () => {
    const { channel, graph } = await start();
    await channel.sendButtons(AWA, 'Quelle taille ?', [
      { id: 'size-S', title: 'S' },
      { id: 'size-M', title: 'M' },
      { id: 'size-L', title: 'L' },
    ]);
    const zones = ['Cocody', 'Marcory', 'Yopougon', 'Treichville', 'Plateau', 'Abobo'].map((zone) => ({ id: `zone-${zone}`, title: zone, description: 'Livraison 24 h' }));
    await channel.sendList(AWA, 'Où faut-il livrer ?', 'Choisir la commune', zones);
    await channel.sendChoices(AWA, 'On confirme ?', [
      { id: 'yes', title: 'Confirmer' },
      { id: 'no', title: 'Annuler' },
    ]);
    await channel.sendChoices(AWA, 'Quel modèle ?', [
      { id: 'a', title: 'Robe en wax bleu, col rond, manches courtes' },
      { id: 'b', title: 'Boubou brodé' },
    ]);
    expect(graph.sent(AWA).map((call) => (call.body.interactive as { type: string }).type)).toEqual(['button', 'list', 'button', 'list']);
    expect(graph.texts(AWA)).toEqual(['Quelle taille ?', 'Où faut-il livrer ?', 'On confirme ?', 'Quel modèle ?']);
    const tooMany = Array.from({ length: 11 }, (_, index) => ({ id: String(index), title: `Choix ${index}` }));
    await expect(channel.sendChoices(AWA, 'Trop', tooMany)).rejects.toMatchObject({ code: 'choices_do_not_fit' });
  });

  it("writes to a chat id WhatsApp Web left behind (…@c.us), and refuses one that is not a number", async () => {
    const { channel, graph } = await start();
    await channel.sendText(`${AWA}@c.us`, 'Votre commande est partie.');
    expect(graph.texts(AWA)).toEqual(['Votre commande est partie.']);
    await expect(channel.sendText('151204968736870@lid', 'Bonjour')).rejects.toBeInstanceOf(WhatsAppCloudError);
  });
});
