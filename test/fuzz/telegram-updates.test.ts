import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel, parseTelegramUpdate } from '../../channels/telegram/index.js';
import { guardAbuse } from '../../src/abuse/guard.js';
import { createLogger } from '../../src/infra/logger.js';
import type { Responder } from '../../src/core/responder.js';
import type { ChannelAdapter } from '../../src/core/channel.js';
import { createTestEngine, metricValue } from '../support/engine-harness.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { garbage, seededRandom } from './garbage.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_128);
const UPDATES = Number(process.env.FUZZ_UPDATES ?? 3000);
const WELL_FORMED_EVERY = 10;
/** Well-formed chats live above 2^31, where the garbage never reaches. */
const FIRST_GOOD_CHAT = 9_100_000_000;

const quickModel: Responder = {
  description: 'quick scripted model',
  async reply(request) {
    const last = request.history.filter((entry) => entry.role === 'user').at(-1)?.content ?? '';
    return { text: `Réponse à: ${last.slice(0, 60)}` };
  },
};

describe(`fuzzing the Telegram adapter and the core (FUZZ_SEED=${SEED})`, () => {
  const strays: unknown[] = [];
  const onStray = (error: unknown) => strays.push(error);
  beforeAll(() => {
    process.on('unhandledRejection', onStray);
    process.on('uncaughtException', onStray);
  });
  afterAll(() => {
    process.off('unhandledRejection', onStray);
    process.off('uncaughtException', onStray);
  });

  it('parseTelegramUpdate never throws and returns null or a well-typed message, for 20 000 random inputs', () => {
    const { update, value } = garbage(seededRandom(SEED));
    for (let i = 0; i < 20_000; i++) {
      const input = i % 3 === 0 ? value() : { update_id: i, ...update() };
      const parsed = parseTelegramUpdate(input, { allowGroups: i % 2 === 0, bot: { id: 1, username: 'mode_ivoire_bot' } });
      if (parsed === null) continue;
      expect(typeof parsed.chatId === 'string' && parsed.chatId !== '', `seed ${SEED}, input ${i}`).toBe(true);
      expect(typeof parsed.messageId === 'string' && typeof parsed.text === 'string' && typeof parsed.from.id === 'string').toBe(true);
    }
  });

  describe('through the real grammY bot, the abuse guard and the engine', () => {
    let telegram: FakeTelegram;
    let channel: ChannelAdapter;
    let engine: ReturnType<typeof createTestEngine>['engine'];
    let metrics: ReturnType<typeof createTestEngine>['metrics'];
    beforeAll(async () => {
      telegram = await startFakeTelegram();
      const logger = createLogger({ level: 'silent' });
      ({ engine, metrics } = createTestEngine(quickModel, { replyDeadlineMs: 5000, lateAnswerMs: 5000 }));
      channel = createTelegramChannel({
        token: telegram.token,
        apiRoot: telegram.url,
        allowGroups: true,
        logger,
        pollingTimeoutSeconds: 1,
        restartDelayMs: 50,
      });
      await channel.start(guardAbuse(engine.receive, { logger, say: engine.say }));
    });
    afterAll(async () => {
      await channel.stop();
      await engine.drain();
      await telegram.close();
    });

    it(`${UPDATES} malformed updates: nothing crashes, and every well-formed message is answered exactly once`, async () => {
      const { update } = garbage(seededRandom(SEED));
      const good = new Map<string, string>();
      for (let i = 0; i < UPDATES; i++) {
        if (i % WELL_FORMED_EVERY === 0) {
          const chatId = FIRST_GOOD_CHAT + i;
          const text = `wf-${i} je cherche une robe`;
          good.set(String(chatId), `Réponse à: ${text}`);
          // Telegram adds fields over time: unknown ones must not matter.
          telegram.pushMessage(chatId, text, { x_future_field: { nested: [1, 2, 3] }, via_bot: null });
        } else {
          telegram.pushUpdate(update() as never);
        }
      }

      const started = Date.now();
      const answersTo = () => {
        const byChat = new Map<string, string[]>();
        for (const call of telegram.sent()) {
          if (call.method !== 'sendMessage') continue;
          const chat = String(call.params.chat_id);
          if (good.has(chat)) byChat.set(chat, [...(byChat.get(chat) ?? []), String(call.params.text)]);
        }
        return byChat;
      };
      while (answersTo().size < good.size || telegram.pendingUpdates() > 0) {
        if (Date.now() - started > 15_000) {
          throw new Error(`seed ${SEED}: ${answersTo().size}/${good.size} answered, ${telegram.pendingUpdates()} updates pending`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await engine.drain();
      await new Promise((resolve) => setTimeout(resolve, 100));

      const answers = answersTo();
      for (const [chat, expected] of good) expect(answers.get(chat), `seed ${SEED}, chat ${chat}`).toEqual([expected]);
      expect(strays, `seed ${SEED}: stray errors`).toEqual([]);
      expect(channel.status().state).toBe('ready');
      // Not a vacuous pass: much of the garbage did reach the core and got some reply.
      const received = await metricValue(metrics, 'akwaba_messages_received_total');
      expect(received, `seed ${SEED}`).toBeGreaterThan(good.size + 100);
      expect(await metricValue(metrics, 'akwaba_replies_total', { kind: 'unsupported' })).toBeGreaterThan(10);
    });
  });
});
