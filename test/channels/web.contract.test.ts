import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { runChannelContract } from './contract.js';
import { startWebChat, type SseClient } from './web/server.js';

runChannelContract('web', async (receive) => {
  const chat = await startWebChat();
  await chat.channel.start(receive);
  expect(chat.channel.status().state).toBe('ready');
  const chatIds = ['visiteur-awa-0000001', 'visiteur-kofi-000002'] as const;
  // Each customer has the page open before writing, as in a browser.
  const pages = new Map<string, SseClient>();
  for (const chatId of chatIds) pages.set(chatId, await chat.openEvents(chatId));
  const page = (chatId: string) => pages.get(chatId)!;
  const post = async (body: Record<string, unknown>) => {
    const response = await chat.post(body);
    expect(response.status).toBe(202);
  };
  return {
    adapter: chat.channel,
    chatIds,
    async customerWrites(chatId, text, options = {}) {
      const clientMessageId = randomBytes(6).toString('hex');
      for (let delivery = 0; delivery < (options.deliveries ?? 1); delivery += 1) await post({ visitorId: chatId, clientMessageId, text });
    },
    customerSends: (chatId, kind) => post({ visitorId: chatId, kind, text: '' }),
    replies: (chatId) =>
      page(chatId)
        .chatEvents()
        .filter((event) => event.from === 'shop')
        .map((event) => String(event.text ?? event.caption ?? '')),
    typingCount: (chatId) => page(chatId).typingCount(),
    async close() {
      await chat.channel.stop();
      await chat.close();
    },
  };
});
