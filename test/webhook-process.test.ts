import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from './support/fake-openai.js';
import { startFakeTelegram, type FakeTelegram } from './support/fake-telegram.js';

const TOKEN = '654321:fake-token-for-the-local-bot-api';
const SECRET = 'f3a9c1e07b2d4c6a8e1f3a9c1e07b2d4';
const WEBHOOK_URL = 'https://shop.example/telegram/hook-7d1e';
const entry = join(import.meta.dirname, '..', 'dist', 'src', 'main.js');

/** The built bot (`npm start`) in webhook mode, behind a "reverse proxy": the fake maps the public URL to the bot's port. */
describe('the bot process with a Telegram webhook', () => {
  let telegram: FakeTelegram | undefined;
  let openai: FakeOpenAI | undefined;
  let bot: ChildProcess | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    if (bot && bot.exitCode === null) bot.kill('SIGKILL');
    await telegram?.close();
    await openai?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    bot = telegram = openai = dataDir = undefined;
  });

  it('registers its webhook, answers what Telegram posts, refuses a wrong secret, and leaves the webhook in place on SIGTERM', async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    openai = await startFakeOpenAI();
    dataDir = mkdtempSync(join(tmpdir(), 'akwaba-webhook-process-'));
    const child = spawn(process.execPath, [entry], {
      env: {
        PATH: process.env.PATH ?? '',
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: telegram.url,
        TELEGRAM_WEBHOOK_URL: WEBHOOK_URL,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: `${openai.url}/v1`,
        HTTP_PORT: '0',
        DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    bot = child;
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const port = await vi.waitFor(
      () => {
        const match = /"http":"http:\/\/localhost:(\d+)"/.exec(output);
        if (!match) throw new Error(`not running yet:\n${output}`);
        return match[1];
      },
      { timeout: 60_000, interval: 50 }, // a first start can take tens of seconds on a busy machine
    );
    await vi.waitFor(() => expect(telegram!.webhook).toEqual({ url: WEBHOOK_URL, secretToken: SECRET, allowedUpdates: ['message', 'callback_query'] }), {
      timeout: 5000,
    });
    telegram.routeWebhookTo(`http://127.0.0.1:${port}`);

    const update = telegram.pushMessage(4242, 'Vous livrez à Marcory ?');
    const answer = await telegram.waitFor((call) => call.method === 'sendMessage', 10_000);
    expect(answer.params.text).toBe('Réponse à: Vous livrez à Marcory ?');
    expect(telegram.webhookDeliveries.at(-1)).toMatchObject({ updateId: update.update_id, status: 200 });
    expect(await telegram.postToWebhook({ ...update, update_id: update.update_id + 100 }, { secretToken: 'wrong-secret-wrong-secret' })).toBe(401);
    expect(telegram.calls.some((call) => call.method === 'getUpdates')).toBe(false);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(telegram.calls.some((call) => call.method === 'deleteWebhook')).toBe(false);
  }, 120_000);
});
