import { vi, expect } from 'vitest';
import { createTelegramChannel } from '../../channels/telegram/index.js';
import { createLogger } from '../../src/infra/logger.js';
import { startFakeTelegram } from '../support/fake-telegram.js';
import { runChannelContract } from './contract.js';

runChannelContract('telegram', async (receive) => {
  const telegram = await startFakeTelegram();
  const adapter = createTelegramChannel({
    token: telegram.token,
    apiRoot: telegram.url,
    logger: createLogger({ level: 'silent' }),
    pollingTimeoutSeconds: 1,
    restartDelayMs: 100,
  });
  await adapter.start(receive);
  await vi.waitFor(() => expect(adapter.status().state).toBe('ready'), { timeout: 2500 });
  return {
    adapter,
    chatIds: ['1001', '1002'],
    async customerWrites(chatId, text, options = {}) {
      const update = telegram.pushMessage(Number(chatId), text);
      for (let delivery = 1; delivery < (options.deliveries ?? 1); delivery += 1) telegram.pushUpdate({ message: update.message! });
    },
    async customerSends(chatId, kind) {
      const media =
        kind === 'photo'
          ? { photo: [{ file_id: 'AgACAgQAAxkBAAIBc2', file_unique_id: 'AQADc2', width: 800, height: 800, file_size: 52_000 }] }
          : { voice: { file_id: 'AwACAgQAAxkBAAIBd2', file_unique_id: 'AgADd2', duration: 6, mime_type: 'audio/ogg', file_size: 9_800 } };
      telegram.pushMessage(Number(chatId), '', { text: undefined, ...media });
    },
    async customerSpeaks(chatId, audio, durationSec) {
      telegram.pushVoice(Number(chatId), audio, { durationSec });
    },
    replies: (chatId) => telegram.sent(chatId).map((call) => String(call.params.text ?? call.params.caption ?? '')),
    choices: (chatId) => telegram.buttons(chatId),
    async choose(chatId, label) {
      telegram.pressButton(Number(chatId), label);
      await vi.waitFor(() => expect(telegram.answeredQueries.length).toBeGreaterThan(0), { timeout: 2500 });
    },
    typingCount: (chatId) =>
      telegram.calls.filter((call) => call.method === 'sendChatAction' && String(call.params.chat_id) === chatId).length,
    async close() {
      await adapter.stop();
      await telegram.close();
    },
  };
});
