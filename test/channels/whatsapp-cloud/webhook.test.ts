import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WhatsAppCloudChannelOptions } from '../../../channels/whatsapp-cloud/index.js';
import type { InboundJournal } from '../../../src/core/journal.js';
import type { Responder } from '../../../src/core/responder.js';
import { openJournal } from '../../../src/durable/journal.js';
import { createTestEngine } from '../../support/engine-harness.js';
import { APP_SECRET, capturedLogger, startCloudChannel, VERIFY_TOKEN, type CloudChannelHarness } from '../../support/cloud-channel.js';
import { inboundMessage, newWamid, signatureOf, statusNotice, webhookError } from '../../support/graph-payloads.js';

const AWA = '2250701020304';
const answering: Responder = { description: 'echo', reply: async (request) => ({ text: `Réponse à: ${request.history.at(-1)?.content}` }) };

/** The webhook over real HTTP, Meta's way: verification, signatures, journal-then-200, redeliveries, statuses. */
describe('WhatsApp Cloud API webhook', () => {
  let harness: CloudChannelHarness;
  let journal: InboundJournal;
  let dir: string;
  let registry: Registry;
  let log: ReturnType<typeof capturedLogger>;
  let notices: string[];

  async function start(
    options: { journal?: (real: InboundJournal) => InboundJournal; responder?: Responder; channel?: Partial<WhatsAppCloudChannelOptions> } = {},
  ) {
    dir = mkdtempSync(join(tmpdir(), 'akwaba-cloud-webhook-'));
    journal = await openJournal(dir);
    registry = new Registry();
    log = capturedLogger();
    notices = [];
    harness = await startCloudChannel({ registry, logger: log.logger, notifyOwner: (_key, text) => void notices.push(text), ...options.channel });
    const { engine } = createTestEngine(options.responder ?? answering, { journal: options.journal?.(journal) ?? journal });
    await harness.channel.start(engine.receive);
    return harness;
  }

  afterEach(async () => {
    await harness.close();
    await journal.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  });

  const counter = async (name: string, labels: Record<string, string>) => {
    const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    return values.filter((value) => Object.entries(labels).every(([key, label]) => value.labels[key] === label)).reduce((sum, value) => sum + value.value, 0);
  };

  it("answers Meta's verification with the challenge, and refuses a wrong token or mode with 403", async () => {
    const { meta } = await start();
    expect(await meta.verify()).toEqual({ status: 200, body: '1158201444' });
    expect((await meta.verify({ 'hub.verify_token': 'not-the-verify-token' })).status).toBe(403);
    expect((await meta.verify({ 'hub.verify_token': VERIFY_TOKEN.slice(0, -1) })).status).toBe(403);
    expect((await meta.verify({ 'hub.mode': 'unsubscribe' })).status).toBe(403);
    expect((await meta.verify({ 'hub.challenge': '<script>' })).status).toBe(400);
  });

  it('takes a signed message: 200 once journalled, then the answer goes out', async () => {
    const { meta, graph } = await start();
    const wamid = await meta.customerWrites(AWA, 'Vous livrez à Marcory ?');
    expect(meta.deliveries.map((delivery) => delivery.status)).toEqual([200]);
    expect(journal.has({ channel: 'whatsapp', chatId: AWA, messageId: wamid })).toBe(true);
    await vi.waitFor(() => expect(graph.texts(AWA)).toEqual(['Réponse à: Vous livrez à Marcory ?']));
  });

  it.each([
    ['no signature', null],
    ['a wrong signature', `sha256=${'0'.repeat(64)}`],
    ['a signature made with another secret', signatureOf('{}', 'another-app-secret-0000000000000')],
    ['a malformed signature', 'sha1=abc'],
  ])('refuses a post with %s (401), and takes nothing', async (_name, signature) => {
    const { meta, graph } = await start();
    const payload = inboundMessage(graph.phoneNumberId, { waId: AWA }, { type: 'text', text: { body: 'pirate' } });
    expect(await meta.post(payload, { signature })).toBe(401);
    expect(journal.unanswered()).toEqual([]);
  });

  it('checks the signature over the raw bytes: the same JSON written differently is refused', async () => {
    const { meta, graph } = await start();
    const payload = inboundMessage(graph.phoneNumberId, { waId: AWA }, { type: 'text', text: { body: 'Bonjour' } });
    const signed = JSON.stringify(payload);
    expect(await meta.post(payload, { raw: JSON.stringify(payload, null, 2), signature: signatureOf(signed, APP_SECRET) })).toBe(401);
    expect(await meta.post(payload, { raw: signed })).toBe(200);
  });

  it('a signed body that is not JSON gets 400; one too large is refused unread (413)', async () => {
    const { meta } = await start();
    expect(await meta.post(undefined, { raw: '{not json' })).toBe(400);
    expect(await meta.post(undefined, { raw: `{"pad":"${'x'.repeat(1_100_000)}"}` })).toBe(413);
  });

  it('answers 200 only after the journal write, and never waits for the answer', async () => {
    let release = () => {};
    const written = new Promise<void>((resolve) => (release = resolve));
    const silent: Responder = { description: 'never answers', reply: () => new Promise(() => {}) };
    const { meta } = await start({
      responder: silent,
      journal: (real) => ({
        ...real,
        record: async (message) => {
          await written;
          return real.record(message);
        },
      }),
    });
    const delivered = meta.customerWrites(AWA, 'Bonjour');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(meta.deliveries).toEqual([]); // held while the write is pending
    release();
    await delivered;
    expect(meta.deliveries.map((delivery) => delivery.status)).toEqual([200]);
  });

  it('a journal write that outlasts the timeout gets a 503; Meta delivers again and the customer is answered once', async () => {
    let slowWrites = 1;
    const { meta, graph } = await start({
      channel: { webhookTimeoutMs: 100 },
      journal: (real) => ({
        ...real,
        record: async (message) => {
          if (slowWrites-- > 0) await new Promise((resolve) => setTimeout(resolve, 300));
          return real.record(message);
        },
      }),
    });
    await meta.customerWrites(AWA, 'Bonjour');
    expect(meta.deliveries[0]!.status).toBe(503);
    expect(meta.deliveries.at(-1)!.status).toBe(200);
    await vi.waitFor(() => expect(graph.texts(AWA)).toEqual(['Réponse à: Bonjour']));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(graph.texts(AWA)).toHaveLength(1);
  });

  it('a message delivered twice (same wamid) is acknowledged twice and answered once', async () => {
    const { meta, graph } = await start();
    await meta.customerWrites(AWA, 'Le prix du boubou ?', { copies: 2 });
    await meta.customerWrites(AWA, 'Et en taille L ?');
    await vi.waitFor(() => expect(graph.texts(AWA)).toContain('Réponse à: Et en taille L ?'));
    expect(meta.deliveries.map((delivery) => delivery.status)).toEqual([200, 200, 200]);
    expect(graph.texts(AWA)).toEqual(['Réponse à: Le prix du boubou ?', 'Réponse à: Et en taille L ?']);
  });

  it("ignores what is for another business number, and acknowledges it so Meta does not retry", async () => {
    const { meta } = await start();
    const payload = inboundMessage('999999999999999', { waId: AWA }, { type: 'text', text: { body: 'Autre boutique' } });
    expect(await meta.deliver(payload)).toEqual([200]);
    expect(journal.unanswered()).toEqual([]);
  });

  it('records status notifications; a failed one is logged with its code and counted, never with the number', async () => {
    const { meta, graph } = await start();
    await meta.customerWrites(AWA, 'Bonjour');
    await vi.waitFor(() => expect(graph.sentIds(AWA)).toHaveLength(1));
    const [id] = graph.sentIds(AWA);
    await meta.notifyStatus({ id: id!, status: 'sent', recipientId: AWA });
    await meta.notifyStatus({ id: id!, status: 'delivered', recipientId: AWA });
    await meta.notifyStatus({ id: id!, status: 'read', recipientId: AWA });
    const undeliverable = webhookError(131026, 'Message undeliverable', `Unable to deliver message to ${AWA}.`);
    await meta.notifyStatus({ id: newWamid(), status: 'failed', recipientId: AWA, errors: [undeliverable] });
    await meta.deliver(statusNotice(graph.phoneNumberId, { id: newWamid(), status: 'failed', recipientId: AWA }));

    for (const status of ['sent', 'delivered', 'read']) expect(await counter('akwaba_whatsapp_statuses_total', { status })).toBe(1);
    expect(await counter('akwaba_whatsapp_statuses_total', { status: 'failed' })).toBe(2);
    expect(await counter('akwaba_whatsapp_errors_total', { code: '131026', source: 'status' })).toBe(1);
    const failed = log.records().filter((record) => record.code === 131026);
    expect(failed).toEqual([expect.objectContaining({ level: 40, title: 'Message undeliverable', chat: expect.stringMatching(/^[0-9a-f]{12}$/) })]);
    expect(log.text()).not.toContain(AWA);
  });

  it("a reply Meta accepted then failed because the customer's window had closed (131047): the owner gets its text", async () => {
    const { meta, graph } = await start();
    await meta.customerWrites(AWA, 'Ma commande est prête ?');
    await vi.waitFor(() => expect(graph.sentIds(AWA)).toHaveLength(1));
    const closed = webhookError(131047, 'Re-engagement message', 'More than 24 hours have passed since the recipient last replied.');
    await meta.notifyStatus({ id: graph.sentIds(AWA)[0]!, status: 'failed', recipientId: AWA, errors: [closed] });
    expect(notices).toEqual([expect.stringContaining('Réponse à: Ma commande est prête ?')]);
  });

  it("counts and logs Meta's errors about the account", async () => {
    const { meta, graph } = await start();
    const throughput = webhookError(130429, 'Rate limit hit', 'Message failed to send because there were too many messages sent from this phone number in a short period of time');
    await meta.deliver(inboundMessage(graph.phoneNumberId, { waId: AWA }, { type: 'text', text: { body: 'x' } }));
    await meta.deliver({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: graph.phoneNumberId }, errors: [throughput] } }] }] });
    expect(await counter('akwaba_whatsapp_errors_total', { code: '130429', source: 'webhook' })).toBe(1);
  });
});
