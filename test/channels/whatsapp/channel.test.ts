import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import whatsappWeb from 'whatsapp-web.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WhatsAppNotReadyError } from '../../../channels/whatsapp/index.js';
import { BOT_ID, fixtures, whatsappMessage } from './fake-client.js';
import { startWhatsApp, type StartedWhatsApp } from './start.js';

const AWA = '2250701020304@c.us';
const wait = { timeout: 2500, interval: 10 };
// The smallest valid JPEG is not needed: WhatsApp is faked, only the bytes' journey matters.
const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2Q==', 'base64');

describe('WhatsApp channel', () => {
  let started: StartedWhatsApp | undefined;

  const start = async (...args: Parameters<typeof startWhatsApp>) => {
    started = await startWhatsApp(...args);
    await vi.waitFor(() => expect(started?.adapter.status().state).toBe('ready'), wait);
    return started;
  };

  afterEach(async () => {
    await started?.close();
    started = undefined;
  });

  describe('incoming', () => {
    it('hands over customer messages and ignores groups, status updates and its own messages', async () => {
      const { whatsapp, received } = await start();
      for (const fixture of [fixtures.group, fixtures.statusBroadcast, fixtures.fromMe, fixtures.text, fixtures.imageWithCaption, fixtures.ptt]) {
        whatsapp.deliver(whatsappMessage(fixture));
      }
      expect(received.map((message) => [message.kind, message.text])).toEqual([
        ['text', 'Bonjour, vous avez le pagne wax bleu en 6 yards ?'],
        ['photo', "C'est ce modèle en taille M ?"],
        ['voice', ''],
      ]);
      expect(received.every((message) => message.channel === 'whatsapp' && message.chatId === AWA)).toBe(true);
    });

    it('answers a group only when allowed and mentioned', async () => {
      const { whatsapp, received } = await start({ allowGroups: true });
      whatsapp.deliver(whatsappMessage(fixtures.group));
      whatsapp.deliver(whatsappMessage(fixtures.group, { mentionedIds: [BOT_ID], body: '@2250700000000 le prix ?' }));
      expect(received.map((message) => message.text)).toEqual(['@2250700000000 le prix ?']);
    });

    it('hands a message WhatsApp emits twice over once', async () => {
      const { whatsapp, received } = await start();
      whatsapp.customerWrites(AWA, 'Bonsoir', 3);
      expect(received).toHaveLength(1);
    });

    it('takes no message once stopped, and still sends the replies owed', async () => {
      const { whatsapp, adapter, received } = await start();
      await adapter.stop();
      whatsapp.customerWrites(AWA, 'Vous êtes ouverts ?');
      await adapter.sendText(AWA, 'Oui, jusqu’à 19 h !');
      expect(received).toHaveLength(0);
      expect(adapter.status().state).toBe('stopped');
      expect(whatsapp.texts(AWA)).toEqual(['Oui, jusqu’à 19 h !']);
    });
  });

  describe('outgoing', () => {
    it('sends a text with sendMessage and clears "typing…" after it', async () => {
      const { whatsapp, adapter } = await start();
      await adapter.sendTyping?.(AWA);
      await adapter.sendText(AWA, 'Akwaba ! Le wax bleu est à 12 000 FCFA.');
      await adapter.sendText(AWA, 'Autre chose ?');
      expect(whatsapp.calls.filter((call) => call.chatId === AWA).map((call) => [call.method, call.chatId, call.content])).toEqual([
        ['sendStateTyping', AWA, undefined],
        ['sendMessage', AWA, 'Akwaba ! Le wax bleu est à 12 000 FCFA.'],
        ['clearState', AWA, undefined],
        ['sendMessage', AWA, 'Autre chose ?'],
      ]);
    });

    it('never lets a "typing…" asked before a reply land after it', async () => {
      const { whatsapp, adapter } = await start();
      whatsapp.setLatency('sendStateTyping', 50);
      const typing = adapter.sendTyping?.(AWA);
      const reply = adapter.sendText(AWA, 'Voilà !');
      await Promise.all([typing, reply]);
      expect(whatsapp.calls.filter((call) => call.chatId === AWA).map((call) => call.method)).toEqual(['sendStateTyping', 'sendMessage', 'clearState']);
    });

    it('does not fail a reply whose typing indicator cannot be cleared', async () => {
      const { whatsapp, adapter } = await start();
      await adapter.sendTyping?.(AWA);
      whatsapp.failNext('clearState', new Error('Evaluation failed: chat not found'));
      await expect(adapter.sendText(AWA, 'Merci !')).resolves.toBeUndefined();
    });

    it('shows "typing…" only while connected, but lets a reply wait for the reconnection', async () => {
      const { whatsapp, adapter } = await start({ reconnectDelayMs: 20 });
      await whatsapp.disconnect('TIMEOUT');
      await expect(adapter.sendTyping?.(AWA)).rejects.toBeInstanceOf(WhatsAppNotReadyError);
      await adapter.sendText(AWA, 'Toujours là !');
      expect(whatsapp.clients).toHaveLength(2);
      expect(whatsapp.sent(AWA)).toMatchObject([{ client: 1, content: 'Toujours là !' }]);
    });

    it('gives up a reply when WhatsApp does not come back within sendWaitMs', async () => {
      const { whatsapp, adapter } = await start({ reconnectDelayMs: 10, sendWaitMs: 100 });
      whatsapp.startScripts.push('silent');
      await whatsapp.disconnect('CONFLICT');
      await expect(adapter.sendText(AWA, 'Allô ?')).rejects.toThrow(/not connected .*within 100 ms/);
    });
  });

  describe('photos', () => {
    let server: Server;
    let base: string;

    beforeEach(async () => {
      server = createServer((req, res) => {
        if (req.url === '/pagne-wax.jpg') res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': JPEG.length }).end(JPEG);
        else if (req.url === '/page.jpg') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops</html>');
        else res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterEach(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('downloads a product photo and sends it as media with its caption', async () => {
      const { whatsapp, adapter } = await start();
      await adapter.sendPhoto?.(AWA, `${base}/pagne-wax.jpg`, 'Pagne wax bleu, 6 yards : 12 000 FCFA');
      const [call] = whatsapp.sent(AWA);
      expect(call?.content).toBeInstanceOf(whatsappWeb.MessageMedia);
      expect(call?.content).toMatchObject({ mimetype: 'image/jpeg', data: JPEG.toString('base64'), filename: 'pagne-wax.jpg' });
      expect(call?.options).toEqual({ caption: 'Pagne wax bleu, 6 yards : 12 000 FCFA' });
    });

    it.each([
      ['answers 404', '/missing.jpg'],
      ['is not an image', '/page.jpg'],
    ])('sends the link instead when the photo %s', async (_, path) => {
      const { whatsapp, adapter } = await start();
      await adapter.sendPhoto?.(AWA, `${base}${path}`, 'Le boubou brodé');
      expect(whatsapp.texts(AWA)).toEqual([`Le boubou brodé\n${base}${path}`]);
      expect(typeof whatsapp.sent(AWA)[0]?.content).toBe('string');
    });

    it('sends the link instead when the photo server cannot be reached or is too slow', async () => {
      const hanging = createServer(() => undefined);
      await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
      const slowUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/lent.jpg`;
      try {
        const { whatsapp, adapter } = await start({ photoTimeoutMs: 100 });
        await adapter.sendPhoto?.(AWA, slowUrl, '');
        await adapter.sendPhoto?.(AWA, 'http://127.0.0.1:1/nulle-part.jpg', 'Tissu kente');
        expect(whatsapp.texts(AWA)).toEqual([slowUrl, 'Tissu kente\nhttp://127.0.0.1:1/nulle-part.jpg']);
      } finally {
        hanging.closeAllConnections();
        await new Promise<void>((resolve) => hanging.close(() => resolve()));
      }
    });
  });
});
