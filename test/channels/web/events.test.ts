import { afterEach, describe, expect, it, vi } from 'vitest';
import { chatIdOf, inventedVisitorId, startWebChat, type WebChatServer } from './server.js';

const wait = { timeout: 3000, interval: 20 };

describe('web chat: history and GET /chat/events', () => {
  let chat: WebChatServer;

  afterEach(async () => {
    await chat.close();
  });

  async function start(options: Parameters<typeof startWebChat>[0] = {}) {
    chat = await startWebChat(options);
    await chat.channel.start(() => undefined);
  }

  const history = async (visitor: string) =>
    (await (await fetch(`${chat.url}/chat/history?visitor=${visitor}`)).json()) as {
      messages: Array<{ id: string; from: string; type: string; text?: string; caption?: string }>;
      lastEventId: string | null;
    };

  it('keeps both sides of the conversation for a reloaded page, in order', async () => {
    await start();
    const visitor = await chat.newVisitor();
    expect(await history(visitor)).toEqual({ messages: [], lastEventId: null });

    await chat.post({ visitorId: visitor, clientMessageId: 'c1', text: 'Le boubou brodé existe en XL ?' });
    await chat.channel.sendText(chatIdOf(visitor), 'Désolé, je réfléchis trop. Un petit instant... 🤔');
    await chat.channel.sendPhoto(chatIdOf(visitor), 'https://images.mode-ivoire.ci/boubou.jpg', 'Boubou brodé, 35 000 FCFA');
    await chat.channel.sendText(chatIdOf(visitor), 'Oui, en XL à 35 000 FCFA.');

    const reloaded = await history(visitor);
    expect(reloaded.messages.map(({ from, type, text, caption }) => ({ from, type, text, caption }))).toEqual([
      { from: 'customer', type: 'message', text: 'Le boubou brodé existe en XL ?', caption: undefined },
      { from: 'shop', type: 'message', text: 'Désolé, je réfléchis trop. Un petit instant... 🤔', caption: undefined },
      { from: 'shop', type: 'photo', text: undefined, caption: 'Boubou brodé, 35 000 FCFA' },
      { from: 'shop', type: 'message', text: 'Oui, en XL à 35 000 FCFA.', caption: undefined },
    ]);
    expect(reloaded.lastEventId).toBe(reloaded.messages.at(-1)?.id);
    expect((await history(await chat.newVisitor())).messages).toEqual([]); // another visitor sees nothing of it
  });

  it('keeps only the last historyLimit messages of a visitor', async () => {
    await start({ historyLimit: 3 });
    const visitor = await chat.newVisitor();
    for (let n = 1; n <= 5; n += 1) await chat.channel.sendText(chatIdOf(visitor), `réponse ${n}`);

    expect((await history(visitor)).messages.map((message) => message.text)).toEqual(['réponse 3', 'réponse 4', 'réponse 5']);
  });

  it('streams replies and typing to the open page, and resumes after Last-Event-ID with nothing lost', async () => {
    await start();
    const visitor = await chat.newVisitor();
    const page = await chat.openEvents(visitor);
    expect(page.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await chat.channel.sendTyping(chatIdOf(visitor));
    await chat.channel.sendText(chatIdOf(visitor), 'premier');
    await vi.waitFor(() => expect(page.chatEvents().map((event) => event.text)).toEqual(['premier']), wait);
    expect(page.typingCount()).toBe(1);
    const seen = page.chatEvents()[0]!.id;
    await page.close();

    // Sent while the page was reloading:
    await chat.channel.sendText(chatIdOf(visitor), 'deuxième');
    await chat.channel.sendText(chatIdOf(visitor), 'troisième');
    const reloaded = await chat.openEvents(visitor, { header: seen });
    await vi.waitFor(() => expect(reloaded.chatEvents().map((event) => event.text)).toEqual(['deuxième', 'troisième']), wait);

    const fromQuery = await chat.openEvents(visitor, { lastEventId: seen });
    await vi.waitFor(() => expect(fromQuery.chatEvents()).toHaveLength(2), wait);
  });

  it('replays the whole history to a page without Last-Event-ID or with an id from before a restart', async () => {
    await start();
    const visitor = await chat.newVisitor();
    await chat.channel.sendText(chatIdOf(visitor), 'un');
    await chat.channel.sendText(chatIdOf(visitor), 'deux');

    const fresh = await chat.openEvents(visitor);
    const afterRestart = await chat.openEvents(visitor, { header: '0badc0de-1' });
    await vi.waitFor(() => {
      expect(fresh.chatEvents().map((event) => event.text)).toEqual(['un', 'deux']);
      expect(afterRestart.chatEvents().map((event) => event.text)).toEqual(['un', 'deux']);
    }, wait);
  });

  it('shows "typing…" again to a page opened while the shop is still writing', async () => {
    await start({ typingVisibleMs: 5000 });
    const visitor = await chat.newVisitor();
    await chat.channel.sendTyping(chatIdOf(visitor));

    const reloaded = await chat.openEvents(visitor);
    await vi.waitFor(() => expect(reloaded.typingCount()).toBe(1), wait);
    await chat.channel.sendText(chatIdOf(visitor), 'voilà');
    const afterAnswer = await chat.openEvents(visitor);
    await vi.waitFor(() => expect(afterAnswer.chatEvents()).toHaveLength(1), wait);
    expect(afterAnswer.typingCount()).toBe(0);
  });

  it('sends a heartbeat comment on an idle stream', async () => {
    await start({ heartbeatMs: 50 });
    const page = await chat.openEvents(await chat.newVisitor());

    await vi.waitFor(() => expect(page.messages.filter((message) => message.comment === 'ping').length).toBeGreaterThanOrEqual(2), wait);
  });

  it('bounds the streams: a visitor’s newest page closes its oldest, and a full server says 503', async () => {
    await start({ maxStreamsPerVisitor: 2, maxStreams: 3 });
    const visitor = await chat.newVisitor();
    const first = await chat.openEvents(visitor);
    await chat.openEvents(visitor);
    await chat.openEvents(visitor);
    await vi.waitFor(() => expect(first.ended()).toBe(true), wait);

    const other = await chat.openEvents(await chat.newVisitor());
    const refused = await chat.openEvents(await chat.newVisitor());
    expect(refused.response.status).toBe(503);

    await other.close(); // a page that goes away gives its place back
    await vi.waitFor(async () => {
      const next = await chat.openEvents(await chat.newVisitor());
      expect(next.response.status).toBe(200);
    }, wait);
  });

  it('refuses an invalid or invented visitor id with 400 on the stream and the history', async () => {
    await start();
    expect((await chat.openEvents('short')).response.status).toBe(400);
    expect((await chat.openEvents(inventedVisitorId())).response.status).toBe(400);
    expect((await fetch(`${chat.url}/chat/history?visitor=${inventedVisitorId()}`)).status).toBe(400);
    expect((await fetch(`${chat.url}/chat/history?visitor=${encodeURIComponent('<img src=x>aaaaaaaaaaaaaa')}`)).status).toBe(400);
    expect((await fetch(`${chat.url}/chat/history`)).status).toBe(400);
  });

  it('ends every open stream on close(), so the HTTP server can stop', async () => {
    await start();
    const page = await chat.openEvents(await chat.newVisitor());
    await chat.channel.close();

    await vi.waitFor(() => expect(page.ended()).toBe(true), wait);
  });

  it('refuses a photo that is not an http(s) URL (the core then sends the link as text)', async () => {
    await start();
    await expect(chat.channel.sendPhoto(chatIdOf(await chat.newVisitor()), 'javascript:alert(1)', 'Robe')).rejects.toMatchObject({
      name: 'WebChannelError',
      code: 'invalid_photo_url',
    });
  });
});
