import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import { createWhatsAppChannel } from '../../channels/whatsapp/index.js';
import { createLogger } from '../../src/infra/logger.js';
import { runChannelContract } from './contract.js';
import { FakeWhatsApp } from './whatsapp/fake-client.js';

runChannelContract('whatsapp', async (receive) => {
  const whatsapp = new FakeWhatsApp();
  const dataDir = await mkdtemp(join(tmpdir(), 'akwaba-whatsapp-'));
  const adapter = createWhatsAppChannel({
    dataDir,
    logger: createLogger({ level: 'silent' }),
    clientFactory: whatsapp.factory,
    typingRefreshMs: 100,
  });
  await adapter.start(receive);
  await vi.waitFor(() => expect(adapter.status().state).toBe('ready'), { timeout: 2500 });
  return {
    adapter,
    chatIds: ['2250701020304@c.us', '2250505060708@c.us'],
    customerWrites: async (chatId, text, options = {}) => void whatsapp.customerWrites(chatId, text, options.deliveries),
    customerSends: async (chatId, kind) => void whatsapp.customerSends(chatId, kind),
    customerSpeaks: async (chatId, audio, durationSec) => void whatsapp.customerSpeaks(chatId, audio, { durationSec }),
    replies: (chatId) => whatsapp.texts(chatId),
    typingCount: (chatId) => whatsapp.count('sendStateTyping', chatId),
    choices: (chatId) => [...(whatsapp.texts(chatId).at(-1) ?? '').matchAll(/^\*(\d+)\.\* (.+)$/gm)].map((match) => match[2]!),
    async choose(chatId, label) {
      const last = whatsapp.texts(chatId).at(-1) ?? '';
      const number = [...last.matchAll(/^\*(\d+)\.\* (.+)$/gm)].find((match) => match[2] === label)?.[1];
      whatsapp.customerWrites(chatId, number ?? label);
    },
    async close() {
      await adapter.stop();
      await adapter.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
