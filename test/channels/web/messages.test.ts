import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IncomingMessage } from '../../../src/core/message.js';
import { chatIdOf, inventedVisitorId, startWebChat, type WebChatServer } from './server.js';

describe('web chat: POST /chat/messages', () => {
  let chat: WebChatServer;
  let received: IncomingMessage[];

  async function start(options: Parameters<typeof startWebChat>[0] = {}) {
    chat = await startWebChat(options);
    received = [];
    await chat.channel.start((message) => void received.push(message));
  }

  afterEach(async () => {
    await chat.close();
  });

  it('accepts a text with 202 and hands the core a normalized web message', async () => {
    await start();
    const visitor = await chat.newVisitor();
    const response = await chat.post({ visitorId: visitor, clientMessageId: 'msg-1', text: '  Bonjour, la robe wax en M ?  ' });

    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: 'accepted', id: expect.any(String) });
    expect(received).toEqual([
      {
        channel: 'web',
        chatId: chatIdOf(visitor),
        messageId: 'msg-1',
        kind: 'text',
        text: 'Bonjour, la robe wax en M ?',
        from: { id: chatIdOf(visitor) },
        receivedAt: expect.any(Number),
        raw: { clientMessageId: 'msg-1', text: '  Bonjour, la robe wax en M ?  ', kind: 'text' },
      },
    ]);
  });

  it('hands a message of any length under the body limit to the core: how long is the guard’s call, as on every channel', async () => {
    await start({ maxMessageChars: 5000 });
    const response = await chat.post({ visitorId: await chat.newVisitor(), text: 'a'.repeat(3000) });

    expect(response.status).toBe(202);
    expect(received[0]?.text).toHaveLength(3000);
  });

  it('refuses a huge body with 413 without reading it all', async () => {
    await start({ maxMessageChars: 100 });
    const response = await chat.post({ visitorId: await chat.newVisitor(), text: 'x'.repeat(2_000_000) });

    expect(response.status).toBe(413);
    expect(received).toHaveLength(0);
  });

  it('answers 429 with a French line saying the message did not go, past the address’s messages per minute, whatever the visitor', async () => {
    await start({ messagesPerAddressPerMinute: 3 });
    const visitors = [await chat.newVisitor(), await chat.newVisitor()];
    for (let n = 1; n <= 3; n += 1) expect((await chat.post({ visitorId: visitors[n % 2], text: `message ${n}` })).status).toBe(202);

    const refused = await chat.post({ visitorId: visitors[0], text: 'message 4' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: 'too_many', message: expect.stringMatching(/n’est pas parti : renvoyez-le dans \d+ secondes/) });
    expect(received.map((message) => message.text)).toEqual(['message 1', 'message 2', 'message 3']);
  });

  it.each([
    ['too short', 'abc'],
    ['with a slash', 'aaaaaaaaaaaaaaaa/../../etc'],
    ['with markup', '<script>alert(1)</script>'],
    ['missing', undefined],
    ['invented by the page', inventedVisitorId()],
  ])('refuses a visitor id %s with 400', async (_case, id) => {
    await start();
    const response = await chat.post({ visitorId: id, text: 'Bonjour' });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_visitor', message: expect.stringContaining('Rechargez la page') });
    expect(received).toHaveLength(0);
  });

  it('refuses an empty text, a bad client message id and a body that is not JSON', async () => {
    await start();
    const visitor = await chat.newVisitor();
    expect((await chat.post({ visitorId: visitor, text: '   ' })).status).toBe(400);
    expect((await chat.post({ visitorId: visitor, text: 'Bonjour', clientMessageId: '<b>' })).status).toBe(400);
    const notJson = await fetch(`${chat.url}/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ visitorId: visitor, clientMessageId: 'm1', text: 'Bonjour' }),
    });
    expect(notJson.status).toBe(415);
    const broken = await fetch(`${chat.url}/chat/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"visitorId":' });
    expect(broken.status).toBe(400);
    expect(received).toHaveLength(0);
  });

  it('answers a resent clientMessageId once: one message to the core, one bubble in the history', async () => {
    await start();
    const visitor = await chat.newVisitor();
    const first = await chat.post({ visitorId: visitor, clientMessageId: 'resent-1', text: 'Vous livrez à Cocody ?' });
    const again = await chat.post({ visitorId: visitor, clientMessageId: 'resent-1', text: 'Vous livrez à Cocody ?' });

    expect([first.status, again.status]).toEqual([202, 202]);
    expect(await again.json()).toEqual({ status: 'duplicate' });
    expect(received).toHaveLength(1);
    const history = (await (await fetch(`${chat.url}/chat/history?visitor=${visitor}`)).json()) as { messages: unknown[] };
    expect(history.messages).toHaveLength(1);
  });

  it('a duplicate does not use up the address’s allowance, and a refused message can be resent', async () => {
    await start({ messagesPerAddressPerMinute: 1 });
    const visitor = await chat.newVisitor();
    expect((await chat.post({ visitorId: visitor, clientMessageId: 'a', text: 'un' })).status).toBe(202);
    expect((await chat.post({ visitorId: visitor, clientMessageId: 'a', text: 'un' })).status).toBe(202);
    expect((await chat.post({ visitorId: visitor, clientMessageId: 'b', text: 'deux' })).status).toBe(429);
    expect(received).toHaveLength(1);
  });

  it('says 503 in French while the channel is stopped, then takes messages again once started', async () => {
    await start();
    await chat.channel.stop();
    const visitor = await chat.newVisitor();
    const refused = await chat.post({ visitorId: visitor, clientMessageId: 'later', text: 'Bonjour ?' });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: 'unavailable', message: expect.stringContaining('Réessayez') });
    expect(chat.channel.status().state).toBe('stopped');

    await chat.channel.start((message) => void received.push(message));
    expect((await chat.post({ visitorId: visitor, clientMessageId: 'later', text: 'Bonjour ?' })).status).toBe(202);
    await vi.waitFor(() => expect(received).toHaveLength(1));
  });
});
