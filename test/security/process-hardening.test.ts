/**
 * The built bot (`npm start`) in its own process, on a DATA_DIR an older version left readable
 * by everyone (issue #13, items 4, 7, 9, 11): its files become private, the embedded database
 * included; the start-up line and /healthz show the model's URL without its password;
 * /metrics answers this machine; the web chat follows CUSTOMER_MAX_MESSAGE_CHARS and
 * CUSTOMER_MAX_MESSAGES_PER_MINUTE like every channel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const entry = join(import.meta.dirname, '..', '..', 'dist', 'src', 'main.js');
const PASSWORD = 'pr0xy-pa55word-7d2e';
const wait = { timeout: 10_000, interval: 50 };

/** Every path under `dir` whose mode lets someone other than the owner in. */
function readableByOthers(dir: string): string[] {
  const open: string[] = [];
  const visit = (path: string) => {
    const stats = lstatSync(path);
    if (stats.isSymbolicLink()) return;
    if ((stats.mode & 0o077) !== 0) open.push(`${(stats.mode & 0o777).toString(8)} ${path.slice(dir.length)}`);
    if (stats.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return open;
}

function countFiles(dir: string): number {
  return readdirSync(dir, { recursive: true }).length;
}

describe('the bot process on a hostile machine and a hostile internet', () => {
  let dataDir: string;
  let bot: ChildProcess;
  let output = '';
  let url = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'akwaba-hardening-'));
    chmodSync(dataDir, 0o755);
    mkdirSync(join(dataDir, 'conversations'), { mode: 0o755 });
    writeFileSync(join(dataDir, 'conversations', 'telegram-4242.json'), '{"entries":[]}', { mode: 0o644 });
    chmodSync(join(dataDir, 'conversations', 'telegram-4242.json'), 0o644);
    bot = spawn(process.execPath, [entry], {
      env: {
        PATH: process.env.PATH ?? '',
        HTTP_PORT: '0',
        DATA_DIR: dataDir,
        OPENAI_API_KEY: 'sk-fake-key-for-the-hardening-test',
        OPENAI_BASE_URL: `http://akwaba:${PASSWORD}@127.0.0.1:9/v1`,
        CUSTOMER_MAX_MESSAGE_CHARS: '3000',
        CUSTOMER_MAX_MESSAGES_PER_MINUTE: '25',
        REPLY_DEADLINE_MS: '500',
        LATE_ANSWER_MS: '200',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    bot.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    bot.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await vi.waitFor(() => expect(output).toMatch(/"http":"http:\/\/localhost:\d+"/), { timeout: 30_000, interval: 50 });
    url = `http://127.0.0.1:${/"http":"http:\/\/localhost:(\d+)"/.exec(output)![1]}`;
  }, 40_000);

  afterAll(async () => {
    if (bot.exitCode === null) bot.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  });

  it('makes DATA_DIR private: 0700 folders, 0600 files, the embedded database and the older files included', () => {
    expect(countFiles(dataDir)).toBeGreaterThan(100); // the embedded database is there
    expect(readableByOthers(dataDir)).toEqual([]);
    expect(output).toContain('DATA_DIR was readable by other users');
  });

  it('shows the model’s URL without its password, at start-up and in /healthz', async () => {
    expect(output).toContain('model openai gpt-4o-mini at http://127.0.0.1:9/v1');
    const health = await (await fetch(`${url}/healthz`)).text();
    expect(health).toContain('openai gpt-4o-mini');
    for (const text of [output, health]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('akwaba:');
    }
  });

  it('serves /metrics to this machine, not through a proxy', async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(403);
  });

  it('the web chat takes CUSTOMER_MAX_MESSAGE_CHARS and CUSTOMER_MAX_MESSAGES_PER_MINUTE, like every channel', async () => {
    const visitor = await fetch(`${url}/chat/visitors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(visitor.status).toBe(201);
    const { visitorId } = (await visitor.json()) as { visitorId: string };
    const post = (clientMessageId: string, text: string) =>
      fetch(`${url}/chat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ visitorId, clientMessageId, text }),
      });
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('data-max-chars="3000"');

    expect((await post('long', `Bonjour, je cherche une robe. ${'Détails. '.repeat(270)}`)).status).toBe(202); // 2 460 characters
    expect((await post('too-long', 'x'.repeat(3001))).status).toBe(202);
    const statuses = [];
    for (let n = 0; n < 21; n += 1) statuses.push((await post(`short-${n}`, `Question ${n} ?`)).status);
    expect(statuses.every((status) => status === 202)).toBe(true); // 23 in a minute: under 25, not the old 20

    await vi.waitFor(async () => {
      const history = (await (await fetch(`${url}/chat/history?visitor=${visitorId}`)).json()) as { messages: { from: string; text?: string }[] };
      const shop = history.messages.filter((message) => message.from === 'shop').map((message) => message.text ?? '');
      expect(shop.some((text) => text.startsWith('Votre message est très long'))).toBe(true); // the guard's answer
      expect(shop.some((text) => text.startsWith('Vous écrivez très vite'))).toBe(false);
    }, wait);
  });

  it('stops cleanly, leaving DATA_DIR private', async () => {
    const exited = new Promise<number | null>((resolve) => bot.once('exit', (code) => resolve(code)));
    bot.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(readableByOthers(dataDir)).toEqual([]);
    expect(output).not.toContain(PASSWORD);
  });
});
