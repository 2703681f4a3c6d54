import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTelegramChannel, SECRET_HEADER, type TelegramChannel } from '../../../channels/telegram/index.js';
import { openJournal } from '../../../src/durable/journal.js';
import type { InboundJournal } from '../../../src/core/journal.js';
import { createLogger } from '../../../src/infra/logger.js';
import type { Responder } from '../../../src/core/responder.js';
import { createTestEngine } from '../../support/engine-harness.js';
import { startFakeTelegram, type FakeTelegram } from '../../support/fake-telegram.js';

const URL_PATH = '/telegram/hook-3f9a1c';
const SECRET = 'webhook-secret-0123456789abcdef';
const answering: Responder = { description: 'echo', reply: async (request) => ({ text: `Réponse à: ${request.history.at(-1)?.content}` }) };

/**
 * Webhook mode over real HTTP: the fake Bot API registers the webhook and POSTs updates to the
 * bot's own Hono app (through a "reverse proxy": its registered https URL is mapped to the
 * local server), retrying until it gets a 2xx, like Telegram.
 */
describe('telegram webhook', () => {
  let telegram: FakeTelegram;
  let channel: TelegramChannel;
  let journal: InboundJournal;
  let server: ServerType | undefined;
  let dir: string;
  let origin: string;

  afterEach(async () => {
    await channel.stop();
    await journal.close();
    await telegram.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    server = undefined;
  });

  async function start(
    options: { journal?: (real: InboundJournal) => InboundJournal; timeoutMs?: number; responder?: Responder } = {},
  ) {
    telegram = await startFakeTelegram();
    dir = mkdtempSync(join(tmpdir(), 'akwaba-webhook-'));
    journal = await openJournal(dir);
    const { engine } = createTestEngine(options.responder ?? answering, { journal: options.journal?.(journal) ?? journal });
    channel = createTelegramChannel({
      token: telegram.token,
      apiRoot: telegram.url,
      logger: createLogger({ level: 'silent' }),
      restartDelayMs: 100,
      webhook: { url: `https://shop.example${URL_PATH}`, secret: SECRET, timeoutMs: options.timeoutMs },
    });
    const app = new Hono();
    channel.routes(app);
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
        origin = `http://127.0.0.1:${info.port}`;
        resolve();
      });
    });
    telegram.routeWebhookTo(origin);
    await channel.start(engine.receive);
    await vi.waitFor(() => expect(channel.status().state).toBe('ready'));
    return { engine };
  }

  const answers = (chatId: number) => telegram.sent(chatId).map((call) => String(call.params.text));

  it('registers the URL with its secret and the updates it wants, and never long-polls', async () => {
    await start();
    expect(telegram.webhook).toEqual({ url: `https://shop.example${URL_PATH}`, secretToken: SECRET, allowedUpdates: ['message', 'callback_query'] });
    expect(channel.status().detail).toMatch(/webhook/);
    expect(telegram.calls.some((call) => call.method === 'getUpdates')).toBe(false);
  });

  it('takes an update: 200 once journalled, then the answer goes out by sendMessage', async () => {
    await start();
    const update = telegram.pushMessage(1001, 'Vous livrez à Marcory ?');
    await vi.waitFor(() => expect(telegram.pendingUpdates()).toBe(0));
    expect(telegram.webhookDeliveries).toEqual([expect.objectContaining({ updateId: update.update_id, status: 200 })]);
    expect(journal.has({ channel: 'telegram', chatId: '1001', messageId: String(update.message!.message_id) })).toBe(true);
    await vi.waitFor(() => expect(answers(1001)).toEqual(['Réponse à: Vous livrez à Marcory ?']));
  });

  it.each([
    ['a wrong secret', 'not-the-secret'],
    ['no secret', null],
  ])('refuses %s with 401 and processes nothing', async (_name, secretToken) => {
    await start();
    const update = {
      update_id: 90,
      message: {
        message_id: 5,
        date: 1,
        chat: { id: 1002, type: 'private' as const, first_name: 'X' },
        from: { id: 1002, is_bot: false, first_name: 'X' },
        text: 'pirate',
      },
    };
    expect(await telegram.postToWebhook(update, { secretToken })).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(journal.unanswered()).toEqual([]);
    expect(telegram.sent()).toEqual([]);
  });

  it('answers 200 only after the journal write, and never waits for the answer', async () => {
    let release = () => {};
    const written = new Promise<void>((resolve) => (release = resolve));
    const silent: Responder = { description: 'never answers', reply: () => new Promise(() => {}) };
    await start({
      responder: silent,
      journal: (real) => ({
        ...real,
        record: async (message) => {
          await written;
          return real.record(message);
        },
      }),
    });
    telegram.pushMessage(1003, 'Bonjour');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(telegram.webhookDeliveries).toEqual([]); // the request is held while the write is pending
    release();
    await vi.waitFor(() => expect(telegram.webhookDeliveries.map((delivery) => delivery.status)).toEqual([200]));
  });

  it('a journal write that outlasts the timeout gets a 503, Telegram delivers again, and the customer is answered once', async () => {
    let slowWrites = 1;
    await start({
      timeoutMs: 200,
      journal: (real) => ({
        ...real,
        record: async (message) => {
          if (slowWrites-- > 0) await new Promise((resolve) => setTimeout(resolve, 400));
          return real.record(message);
        },
      }),
    });
    telegram.pushMessage(1004, 'Bonjour');
    await vi.waitFor(() => expect(telegram.pendingUpdates()).toBe(0), { timeout: 3000 });
    expect(telegram.webhookDeliveries[0]!.status).toBe(503);
    expect(telegram.webhookDeliveries.at(-1)!.status).toBe(200);
    await vi.waitFor(() => expect(answers(1004)).toEqual(['Réponse à: Bonjour']));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answers(1004)).toHaveLength(1);
  });

  it('the right secret with a body that is not an update: 400, nothing taken', async () => {
    await start();
    const post = (body: string) =>
      fetch(`${origin}${URL_PATH}`, { method: 'POST', headers: { [SECRET_HEADER]: SECRET, 'content-type': 'application/json' }, body });
    expect((await post('{not json')).status).toBe(400);
    expect((await post('{"message":{}}')).status).toBe(400);
    expect(journal.unanswered()).toEqual([]);
  });

  it('a redelivered update (same message id) is acknowledged but not answered again', async () => {
    await start();
    const update = telegram.pushMessage(1005, 'Bonjour');
    await vi.waitFor(() => expect(answers(1005)).toHaveLength(1));
    expect(await telegram.postToWebhook(update)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answers(1005)).toHaveLength(1);
  });

  it('after stop: the webhook stays registered and updates are refused (503) so Telegram keeps them for the next start', async () => {
    await start();
    await channel.stop();
    telegram.pushMessage(1006, 'Bonjour');
    await vi.waitFor(() => expect(telegram.webhookDeliveries.at(-1)?.status).toBe(503));
    expect(telegram.pendingUpdates()).toBe(1);
    expect(telegram.webhook?.url).toBe(`https://shop.example${URL_PATH}`);
    expect(telegram.calls.some((call) => call.method === 'deleteWebhook')).toBe(false);
  });
});
