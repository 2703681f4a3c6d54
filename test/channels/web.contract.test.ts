import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { runChannelContract } from './contract.js';
import { chatIdOf, startWebChat, type SseClient } from './web/server.js';

runChannelContract('web', async (receive) => {
  const chat = await startWebChat();
  await chat.channel.start(receive);
  expect(chat.channel.status().state).toBe('ready');
  // Two visitors, with ids issued by the server as a page gets them; the core knows their chat ids.
  const visitors = [await chat.newVisitor(), await chat.newVisitor()] as const;
  const chatIds = [chatIdOf(visitors[0]), chatIdOf(visitors[1])] as const;
  const visitorOf = (chatId: string) => visitors.find((visitor) => chatIdOf(visitor) === chatId)!;
  // Each customer has the page open before writing, as in a browser.
  const pages = new Map<string, SseClient>();
  for (const visitor of visitors) pages.set(chatIdOf(visitor), await chat.openEvents(visitor));
  const page = (chatId: string) => pages.get(chatId)!;
  const post = async (body: Record<string, unknown>) => {
    const response = await chat.post(body);
    expect(response.status).toBe(202);
  };
  const lastButtons = (chatId: string) =>
    ((page(chatId).chatEvents().filter((event) => event.from === 'shop').at(-1)?.buttons ?? []) as { id: string; label: string }[]);
  return {
    adapter: chat.channel,
    chatIds,
    async customerWrites(chatId, text, options = {}) {
      const clientMessageId = randomBytes(6).toString('hex');
      for (let delivery = 0; delivery < (options.deliveries ?? 1); delivery += 1) await post({ visitorId: visitorOf(chatId), clientMessageId, text });
    },
    customerSends: (chatId, kind) => post({ visitorId: visitorOf(chatId), kind, text: '' }),
    replies: (chatId) =>
      page(chatId)
        .chatEvents()
        .filter((event) => event.from === 'shop')
        .map((event) => String(event.text ?? event.caption ?? '')),
    typingCount: (chatId) => page(chatId).typingCount(),
    choices: (chatId) => lastButtons(chatId).map((button) => button.label),
    async choose(chatId, label) {
      const button = lastButtons(chatId).find((candidate) => candidate.label === label)!;
      await post({ visitorId: visitorOf(chatId), clientMessageId: randomBytes(6).toString('hex'), text: button.label, action: button.id });
    },
    async close() {
      await chat.channel.stop();
      await chat.close();
    },
  };
});
