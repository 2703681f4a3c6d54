import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from './support/fake-openai.js';
import { startFakeTelegram, type FakeTelegram } from './support/fake-telegram.js';

const TOKEN = '654321:fake-token-for-the-local-bot-api';
const API_KEY = 'sk-fake-key-for-the-local-openai';
const entry = join(import.meta.dirname, '..', 'dist', 'src', 'main.js');

/** The built bot as `npm start` runs it (the test command builds it first), in its own process. */
interface Bot {
  readonly process: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

function startBot(env: Record<string, string>): Bot {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    output: () => output,
    exited,
    async waitForOutput(pattern, timeoutMs = 10_000) {
      const started = Date.now();
      for (;;) {
        const match = output.match(pattern);
        if (match) return match;
        if (Date.now() - started > timeoutMs || child.exitCode !== null) {
          throw new Error(`no ${pattern} in the bot's output:\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

describe('the bot process (npm start)', () => {
  let telegram: FakeTelegram | undefined;
  let openai: FakeOpenAI | undefined;
  let bot: Bot | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    if (bot && bot.process.exitCode === null) bot.process.kill('SIGKILL');
    await telegram?.close();
    await openai?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    bot = telegram = openai = dataDir = undefined;
  });

  it('answers a customer on Telegram, serves /healthz and /metrics, keeps secrets out of its logs, and stops cleanly on SIGTERM', async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    openai = await startFakeOpenAI({ apiKey: API_KEY });
    dataDir = mkdtempSync(join(tmpdir(), 'akwaba-main-'));
    bot = startBot({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: telegram.url,
      OPENAI_API_KEY: API_KEY,
      OPENAI_BASE_URL: `${openai.url}/v1`,
      HTTP_PORT: '0',
      DATA_DIR: dataDir,
    });
    // A first start (the embedded database's initdb) can take tens of seconds on a busy machine.
    const [, port] = await bot.waitForOutput(/"http":"http:\/\/localhost:(\d+)"/, 60_000);
    await telegram.waitFor((call) => call.method === 'getUpdates');

    telegram.pushMessage(4242, 'Mon numéro est +225 07 08 09 10 11, vous livrez à Marcory ?');
    const answer = await telegram.waitFor((call) => call.method === 'sendMessage');
    expect(answer.params.text).toBe('Réponse à: Mon numéro est +225 07 08 09 10 11, vous livrez à Marcory ?');
    await bot.waitForOutput(/"msg":"message handled"/);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', channels: { telegram: { state: 'ready' } } });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/akwaba_messages_received_total\{channel="telegram",kind="text"\} 1/);
    expect(metrics).toMatch(/akwaba_replies_total\{channel="telegram",kind="answer"\} 1/);

    bot.process.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    const logs = bot.output();
    expect(logs).toMatch(/model openai gpt-4o-mini/);
    for (const secret of [TOKEN, API_KEY, '07 08 09 10 11', '0708091011']) expect(logs).not.toContain(secret);
  }, 120_000);

  it('starts even when the model provider is unreachable, and still answers with the fallback', async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    dataDir = mkdtempSync(join(tmpdir(), 'akwaba-main-'));
    bot = startBot({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: telegram.url,
      OPENAI_API_KEY: API_KEY,
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', // nothing listens on the discard port
      REPLY_DEADLINE_MS: '1000',
      LATE_ANSWER_MS: '500',
      HTTP_PORT: '0',
      DATA_DIR: dataDir,
    });
    await bot.waitForOutput(/akwaba is running/, 60_000);
    telegram.pushMessage(4243, "Ma commande d'hier n'est pas arrivée");
    const fallback = await telegram.waitFor((call) => call.method === 'sendMessage');
    expect(fallback.params.text).toBe('Désolé, je réfléchis trop. Un petit instant... 🤔');
    bot.process.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 120_000);

  it('refuses a malformed setting with one line naming the variable', async () => {
    bot = startBot({ REPLY_DEADLINE_MS: 'eight seconds', HTTP_PORT: '0' });
    expect(await bot.exited).toBe(1);
    expect(bot.output().trim()).toBe(
      'akwaba: REPLY_DEADLINE_MS is not valid: put a whole number of milliseconds between 100 and 120000, e.g. 8000.',
    );
  });
});
