/**
 * Issue 16 end to end: a customer who speaks is answered like one who writes. Telegram through
 * the whole app (real grammY, the real OpenAI SDK for the transcription and the chat, the
 * embedded store, the recorder and the dashboard); WhatsApp through its adapter on a fake
 * whatsapp-web.js client, the core, and the same SDK.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWhatsAppChannel } from '../../channels/whatsapp/index.js';
import { createEngine } from '../../src/core/engine.js';
import { frenchTexts } from '../../src/core/texts.js';
import { createMemoryHistoryStore } from '../../src/durable/history.js';
import { createLogger } from '../../src/infra/logger.js';
import { createMetrics } from '../../src/infra/metrics.js';
import { createOpenAIResponder } from '../../src/model/openai.js';
import { createTranscriber } from '../../src/model/transcribe.js';
import { createVoiceReader, NO_KEY_TEXT } from '../../src/voice/index.js';
import { FakeWhatsApp } from '../channels/whatsapp/fake-client.js';
import { startAppStack, type AppStack } from '../support/app-stack.js';
import { FALLBACK } from '../support/engine-harness.js';
import { startFakeOpenAI } from '../support/fake-openai.js';

const NOTE = readFileSync(new URL('../fixtures/voice/bonjour-robe-yopougon.ogg', import.meta.url));
const SAID = 'Bonjour, je cherche une robe pour un mariage. Vous livrez à Yopougon ?';
const AYA = 6_012_345_678;
const ADMIN_TOKEN = 'owner-token-for-the-voice-tests';

describe('voice notes on Telegram, through the whole app', () => {
  const start = async (options: Parameters<typeof startAppStack>[0] = {}) => {
    const stack = await startAppStack({ ...options, env: { ADMIN_TOKEN, ...options.env } });
    stack.openai.audio.knows(NOTE, SAID);
    return stack;
  };

  describe('with an OpenAI key', () => {
    let stack: AppStack;
    beforeAll(async () => {
      stack = await start({ env: { VOICE_MAX_SECONDS: '60' } });
    });
    afterAll(async () => {
      await stack.close();
    });

    it('answers a voice note through the model, and the owner reads "🎤 0:05 — « … »"', async () => {
      const { telegram, openai, app } = stack;
      telegram.pushVoice(AYA, NOTE, { durationSec: 5 });
      const [answer] = await telegram.waitForTexts(AYA, 1);
      // The fake model echoes the last user message: the transcript is what it saw.
      expect(answer).toBe(`Réponse à: ${SAID}`);
      const [transcription] = openai.audio.requests;
      expect(transcription).toMatchObject({ model: 'gpt-4o-mini-transcribe', language: 'fr', file: { filename: expect.stringMatching(/\.ogg$/) } });
      expect(transcription!.file.data.equals(NOTE)).toBe(true);
      expect(transcription!.prompt).toMatch(/^Message vocal d'un client de Mode Ivoire.*Livraison à : .*Marcory.*Yopougon.*Articles : .*Wax/);
      expect(telegram.calls.find((call) => call.method === 'sendChatAction')!.at).toBeLessThanOrEqual(transcription!.at);

      await app.recorder.flush();
      const [chat] = await app.store.listRecentConversations({ since: 0 });
      expect(chat!.events.filter((event) => event.direction === 'in').map((event) => [event.kind, event.text])).toEqual([
        ['voice', `🎤 0:05 — « ${SAID} »`],
      ]);
      const html = await (await app.http.request('/admin', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
      expect(html).toContain(`🎤 0:05 — « ${SAID} »`);
      const metric = await app.metrics.registry.getSingleMetric('akwaba_voice_notes_total')!.get();
      expect(metric.values).toEqual([expect.objectContaining({ labels: { channel: 'telegram', kind: 'voice' }, value: 1 })]);
    });

    it('asks for a shorter note without downloading one over VOICE_MAX_SECONDS', async () => {
      const { telegram, openai } = stack;
      const before = { files: telegram.calls.filter((call) => call.method === 'getFile').length, transcriptions: openai.audio.requests.length };
      telegram.pushVoice(AYA + 1, NOTE, { durationSec: 61 });
      const [refusal] = await telegram.waitForTexts(AYA + 1, 1);
      expect(refusal).toMatch(/un peu long.*moins de 1 minute/);
      expect(telegram.calls.filter((call) => call.method === 'getFile')).toHaveLength(before.files);
      expect(openai.audio.requests).toHaveLength(before.transcriptions);
    });

    it('asks to send it again when the file cannot be downloaded', async () => {
      const { telegram, openai } = stack;
      const transcriptions = openai.audio.requests.length;
      telegram.files.failNextDownload(404);
      telegram.pushVoice(AYA + 2, NOTE, { durationSec: 5 });
      const [refusal] = await telegram.waitForTexts(AYA + 2, 1);
      expect(refusal).toMatch(/pas pu récupérer votre message vocal/);
      expect(openai.audio.requests).toHaveLength(transcriptions);
    });
  });

  it('keeps the promise when transcription is slow: the fallback at the deadline, then the answer', async () => {
    const stack = await start({ env: { REPLY_DEADLINE_MS: '1000', LATE_ANSWER_MS: '10000' } });
    try {
      stack.openai.audio.enqueue({ latencyMs: 1800 });
      stack.telegram.pushVoice(AYA, NOTE, { durationSec: 5 });
      expect(await stack.telegram.waitForTexts(AYA, 2)).toEqual([FALLBACK, `Réponse à: ${SAID}`]);
    } finally {
      await stack.close();
    }
  });

  it('without an OpenAI key, asks the customer to write', async () => {
    const stack = await start({ openai: false });
    try {
      stack.telegram.pushVoice(AYA, NOTE, { durationSec: 5 });
      expect(await stack.telegram.waitForTexts(AYA, 1)).toEqual([NO_KEY_TEXT]);
      await stack.app.recorder.flush();
      const [chat] = await stack.app.store.listRecentConversations({ since: 0 });
      expect(chat!.events.find((event) => event.direction === 'in')!.text).toBe('🎤 0:05 — (non écouté : pas de clé OpenAI)');
    } finally {
      await stack.close();
    }
  });
});

describe('voice notes on WhatsApp', () => {
  it('answers a voice note through the adapter, the transcription and the model', async () => {
    const openai = await startFakeOpenAI();
    openai.audio.knows(NOTE, SAID);
    const whatsapp = new FakeWhatsApp();
    const dataDir = await mkdtemp(join(tmpdir(), 'akwaba-whatsapp-voice-'));
    const logger = createLogger({ level: 'silent' });
    const metrics = createMetrics({ defaults: false });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${openai.url}/v1`, maxRetries: 0 });
    const engine = createEngine({
      responder: createOpenAIResponder({ client, model: 'gpt-4o-mini', systemPrompt: 'Tu es la boutique Mode Ivoire.' }),
      history: createMemoryHistoryStore(),
      metrics,
      logger,
      texts: frenchTexts(FALLBACK),
      deadlines: { replyMs: 5000, lateAnswerMs: 5000 },
      read: createVoiceReader({
        transcriber: createTranscriber({ client, model: 'gpt-4o-mini-transcribe', language: 'fr' }),
        metrics,
        logger,
        maxSeconds: 120,
        maxWaitMs: 10_000,
      }),
    });
    const adapter = createWhatsAppChannel({ dataDir, logger, clientFactory: whatsapp.factory });
    try {
      await adapter.start(engine.receive);
      await vi.waitFor(() => expect(adapter.status().state).toBe('ready'), { timeout: 2500, interval: 10 });
      const awa = '2250701020304@c.us';
      whatsapp.customerSpeaks(awa, NOTE, { durationSec: 5 });
      await vi.waitFor(() => expect(whatsapp.texts(awa)).toEqual([`Réponse à: ${SAID}`]), { timeout: 5000, interval: 10 });
      expect(openai.audio.requests[0]!.file).toMatchObject({ filename: 'voice.ogg', contentType: 'audio/ogg' });
      expect(whatsapp.count('sendStateTyping', awa)).toBeGreaterThan(0);
      await adapter.stop();
      await engine.drain();
    } finally {
      await adapter.close();
      await openai.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
