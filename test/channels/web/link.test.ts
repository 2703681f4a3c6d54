import { afterEach, describe, expect, it } from 'vitest';
import { WebChannelError } from '../../../channels/web/index.js';
import { chatIdOf, startWebChat, type WebChatServer } from './server.js';

describe('web chat: a message with a button (a payment link)', () => {
  let chat: WebChatServer;
  afterEach(() => chat.close());

  it('keeps the button with the message, for the open page and the reloaded one', async () => {
    chat = await startWebChat();
    await chat.channel.start(() => undefined);
    const visitor = await chat.newVisitor();
    const page = await chat.openEvents(visitor);
    await chat.channel.sendLink(chatIdOf(visitor), '💳 Commande n°1042 : 47 000 FCFA à régler.', { label: 'Payer 47 000 FCFA', url: 'https://pay.wave.com/c/cos-1' });
    await expect.poll(() => page.chatEvents().length).toBe(1);
    expect(page.chatEvents()[0]).toMatchObject({ type: 'message', from: 'shop', link: { label: 'Payer 47 000 FCFA', url: 'https://pay.wave.com/c/cos-1' } });
    const history = (await (await fetch(`${chat.url}/chat/history?visitor=${visitor}`)).json()) as { messages: unknown[] };
    expect(history.messages).toEqual([expect.objectContaining({ link: { label: 'Payer 47 000 FCFA', url: 'https://pay.wave.com/c/cos-1' } })]);
  });

  it('refuses a link that is not http(s)', async () => {
    chat = await startWebChat();
    const error = await chat.channel.sendLink(chatIdOf(await chat.newVisitor()), 'x', { label: 'x', url: 'javascript:alert(1)' }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(WebChannelError);
    expect(error).toMatchObject({ code: 'invalid_link_url' });
  });
});
