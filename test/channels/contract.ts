import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEngine, type Engine } from '../../src/core/engine.js';
import { createMemoryHistoryStore } from '../../src/durable/history.js';
import { createLogger } from '../../src/infra/logger.js';
import { createMetrics } from '../../src/infra/metrics.js';
import type { ReplyRequest, Responder } from '../../src/core/responder.js';
import { frenchTexts } from '../../src/core/texts.js';
import { sleep } from '../../src/core/timing.js';
import type { ChannelAdapter, MessageHandler } from '../../src/core/channel.js';
import type { IncomingMessage } from '../../src/core/message.js';

/** One channel adapter running against its platform's fake, as a customer sees it. */
export interface ChannelHarness {
  readonly adapter: ChannelAdapter;
  /** Two different private chats, as the platform names them. */
  readonly chatIds: readonly [string, string];
  /** A customer writes; with `deliveries: 2` the platform delivers the same message (same id) twice. */
  customerWrites(chatId: string, text: string, options?: { deliveries?: number }): Promise<void>;
  /** A customer sends something without words: a photo without caption, or a voice note. */
  customerSends(chatId: string, kind: 'photo' | 'voice'): Promise<void>;
  /** A customer records a voice note of these OGG/Opus bytes (channels that can download media). */
  customerSpeaks?(chatId: string, audio: Uint8Array, durationSec: number): Promise<void>;
  /** The texts (or captions) the bot sent to a chat, in order. */
  replies(chatId: string): string[];
  /** How many times the bot showed "typing…" in a chat. */
  typingCount(chatId: string): number;
  /** The choices shown under the bot's last message in a chat, as the customer sees them. */
  choices(chatId: string): string[];
  /** The customer picks a choice: presses its button where the platform has them, types its number where not. */
  choose(chatId: string, label: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts the adapter against its fake with `receive` as its handler; resolves once it is `ready`. */
export type HarnessFactory = (receive: MessageHandler) => Promise<ChannelHarness>;

export const FALLBACK = 'Désolé, je réfléchis trop. Un petit instant... 🤔';
const SLOW = '[lent]';
const CHOICE = '[choix]';
const SLOW_ANSWER_MS = 900;
const wait = { timeout: 2500, interval: 20 };
const VOICE_NOTE = readFileSync(new URL('../fixtures/voice/pagne-wax-marcory.ogg', import.meta.url));

/** Answers at once, or after {@link SLOW_ANSWER_MS} (past the deadline) when the message contains `[lent]`. */
function scriptedResponder(): Responder & { readonly requests: ReplyRequest[] } {
  const requests: ReplyRequest[] = [];
  return {
    description: 'scripted responder',
    requests,
    async reply(request) {
      requests.push(request);
      const said = request.history.at(-1)?.content ?? '';
      if (said.includes(SLOW)) await sleep(SLOW_ANSWER_MS, request.signal);
      if (said.includes(CHOICE)) return { text: 'Quelle taille ?', buttons: [{ id: 'co:7:size:M', label: 'M' }, { id: 'co:7:size:L', label: 'L' }] };
      return { text: `Réponse : ${said}` };
    },
  };
}

const userLines = (request: ReplyRequest | undefined) =>
  (request?.history ?? []).filter((entry) => entry.role === 'user').map((entry) => entry.content);

/**
 * The behaviour every channel owes a customer, through the real engine: the answer in the
 * right chat, "typing…" while waiting, the fallback by the deadline then the late answer,
 * a polite word for what the bot cannot read, and no double answer to a redelivered message.
 *
 * @example
 * runChannelContract('telegram', async (receive) => { ...start the adapter on its fake...; return harness; });
 */
export function runChannelContract(name: string, makeHarness: HarnessFactory): void {
  describe(`${name} channel contract`, () => {
    let harness: ChannelHarness;
    let engine: Engine;
    let responder: ReturnType<typeof scriptedResponder>;
    let received: IncomingMessage[];

    beforeEach(async () => {
      responder = scriptedResponder();
      received = [];
      engine = createEngine({
        responder,
        history: createMemoryHistoryStore(),
        metrics: createMetrics({ defaults: false }),
        logger: createLogger({ level: 'silent' }),
        texts: frenchTexts(FALLBACK),
        deadlines: { replyMs: 300, lateAnswerMs: 3000, typingRefreshMs: 100 },
      });
      harness = await makeHarness((message, channel) => {
        received.push(message);
        engine.receive(message, channel);
      });
    });

    afterEach(async () => {
      await engine.drain();
      await harness.close();
    });

    it('hands a text to the core as a normalized message and sends the answer back', async () => {
      const [awa] = harness.chatIds;
      await harness.customerWrites(awa, 'Bonjour, vous avez le pagne wax bleu ?');

      await vi.waitFor(() => expect(harness.replies(awa)).toEqual(['Réponse : Bonjour, vous avez le pagne wax bleu ?']), wait);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({
        channel: harness.adapter.name,
        chatId: awa,
        kind: 'text',
        text: 'Bonjour, vous avez le pagne wax bleu ?',
        messageId: expect.stringMatching(/.+/),
        from: { id: expect.stringMatching(/.+/) },
        receivedAt: expect.any(Number),
      });
      expect(received[0]?.raw).toBeDefined();
      expect(responder.requests).toHaveLength(1);
      expect(responder.requests[0]?.conversationKey).toBe(`${harness.adapter.name}:${awa}`);
      expect(userLines(responder.requests[0])).toEqual(['Bonjour, vous avez le pagne wax bleu ?']);
    });

    it('shows "typing…" at once and keeps it up while the answer is slow', async () => {
      const [awa] = harness.chatIds;
      await harness.customerWrites(awa, `Vous livrez à Yopougon ? ${SLOW}`);

      await vi.waitFor(() => expect(harness.replies(awa).length).toBeGreaterThan(0), wait);
      expect(harness.typingCount(awa)).toBeGreaterThan(0);
      await vi.waitFor(() => expect(harness.replies(awa)).toHaveLength(2), wait);
      expect(harness.typingCount(awa)).toBeGreaterThanOrEqual(3);
    });

    it('answers two customers writing at once, each in their own chat', async () => {
      const [awa, kofi] = harness.chatIds;
      await Promise.all([harness.customerWrites(awa, 'Une robe en bazin ?'), harness.customerWrites(kofi, 'Une chemise en kente ?')]);

      await vi.waitFor(() => {
        expect(harness.replies(awa)).toEqual(['Réponse : Une robe en bazin ?']);
        expect(harness.replies(kofi)).toEqual(['Réponse : Une chemise en kente ?']);
      }, wait);
    });

    it('sends the fallback by the deadline, then the late answer, in that order', async () => {
      const [awa] = harness.chatIds;
      await harness.customerWrites(awa, `Le boubou brodé existe en XL ? ${SLOW}`);

      await vi.waitFor(() => expect(harness.replies(awa)).toHaveLength(2), wait);
      expect(harness.replies(awa)).toEqual([FALLBACK, `Réponse : Le boubou brodé existe en XL ? ${SLOW}`]);
    });

    it.each(['photo', 'voice'] as const)('answers a %s politely without calling the model', async (kind) => {
      const [awa] = harness.chatIds;
      await harness.customerSends(awa, kind);

      await vi.waitFor(() => expect(harness.replies(awa)).toHaveLength(1), wait);
      expect(harness.replies(awa)[0]).toContain('Je ne sais lire que les messages écrits');
      expect(received[0]).toMatchObject({ kind, text: '' });
      expect(responder.requests).toHaveLength(0);
    });

    it('hands a voice note over, and downloads it byte for byte as OGG (channels with downloadMedia)', async (context) => {
      if (!harness.customerSpeaks || !harness.adapter.downloadMedia) context.skip();
      const [awa] = harness.chatIds;
      await harness.customerSpeaks!(awa, VOICE_NOTE, 4);

      await vi.waitFor(() => expect(received).toHaveLength(1), wait);
      expect(received[0]).toMatchObject({ kind: 'voice', text: '' });
      // Not every platform says how long a note is (Meta's Cloud API does not); when it does, it is right.
      expect(received[0]!.media?.durationSec ?? 4).toBe(4);
      const audio = await harness.adapter.downloadMedia!(received[0]!, { signal: new AbortController().signal, maxBytes: 20 * 1024 * 1024 });
      expect(Buffer.from(audio.data).equals(VOICE_NOTE)).toBe(true);
      expect(audio).toMatchObject({ mimeType: 'audio/ogg', fileName: expect.stringMatching(/\.ogg$/) });
    });

    it('shows the choices of a reply, and brings the one picked back as a press or its number', async () => {
      const [awa] = harness.chatIds;
      await harness.customerWrites(awa, `La robe bordeaux ${CHOICE}`);
      await vi.waitFor(() => expect(harness.choices(awa)).toEqual(['M', 'L']), wait);
      expect(harness.replies(awa)[0]).toContain('Quelle taille ?');

      await harness.choose(awa, 'L');
      await vi.waitFor(() => expect(responder.requests).toHaveLength(2), wait);
      const picked = responder.requests[1]!.history.at(-1)!;
      // A press carries the button's id and its label; a typed number is only words.
      if (picked.action !== undefined) expect(picked).toMatchObject({ role: 'user', content: 'L', action: 'co:7:size:L' });
      else expect(picked).toMatchObject({ role: 'user', content: '2' });
    });

    it('answers a message delivered twice only once', async () => {
      const [awa] = harness.chatIds;
      await harness.customerWrites(awa, 'Le prix du boubou ?', { deliveries: 2 });
      await harness.customerWrites(awa, 'Et en taille L ?');

      await vi.waitFor(() => expect(harness.replies(awa)).toContain('Réponse : Et en taille L ?'), wait);
      expect(harness.replies(awa)).toEqual(['Réponse : Le prix du boubou ?', 'Réponse : Et en taille L ?']);
      expect(userLines(responder.requests.at(-1))).toEqual(['Le prix du boubou ?', 'Et en taille L ?']);
    });
  });
}
