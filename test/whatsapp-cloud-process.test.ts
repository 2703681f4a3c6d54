import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP_SECRET, VERIFY_TOKEN, WEBHOOK_PATH } from './support/cloud-channel.js';
import { startFakeGraph, type FakeGraph } from './support/fake-graph.js';
import { createFakeMeta } from './support/fake-meta.js';
import { startFakeOpenAI, type FakeOpenAI } from './support/fake-openai.js';

const entry = join(import.meta.dirname, '..', 'dist', 'src', 'main.js');
const AWA = '2250701020304';

/** The built bot (`npm start`) with `WHATSAPP_MODE=cloud`: the wiring of `main.ts`, in its own process. */
describe('the bot process with WhatsApp through the Cloud API', () => {
  let graph: FakeGraph | undefined;
  let openai: FakeOpenAI | undefined;
  let bot: ChildProcess | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    if (bot && bot.exitCode === null) bot.kill('SIGKILL');
    await graph?.close();
    await openai?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    bot = graph = openai = dataDir = undefined;
  });

  it('takes signed webhooks on /whatsapp/webhook, answers through the Graph API, shows it in /healthz, and stops cleanly', async () => {
    graph = await startFakeGraph();
    openai = await startFakeOpenAI();
    dataDir = mkdtempSync(join(tmpdir(), 'akwaba-cloud-process-'));
    const child = spawn(process.execPath, [entry], {
      env: {
        PATH: process.env.PATH ?? '',
        WHATSAPP_MODE: 'cloud',
        WHATSAPP_CLOUD_ACCESS_TOKEN: graph.accessToken,
        WHATSAPP_CLOUD_PHONE_NUMBER_ID: graph.phoneNumberId,
        WHATSAPP_CLOUD_APP_SECRET: APP_SECRET,
        WHATSAPP_CLOUD_VERIFY_TOKEN: VERIFY_TOKEN,
        WHATSAPP_CLOUD_API_ROOT: graph.url,
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
      // A first start creates the embedded database: seconds, or tens of seconds on a busy machine.
      { timeout: 60_000, interval: 50 },
    );
    const origin = `http://127.0.0.1:${port}`;
    const meta = createFakeMeta({ graph, callbackUrl: `${origin}${WEBHOOK_PATH}`, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN });
    expect(await meta.verify()).toEqual({ status: 200, body: '1158201444' });

    await meta.customerWrites(AWA, 'Vous livrez à Marcory ?');
    await vi.waitFor(() => expect(graph!.texts(AWA)).toEqual(['Réponse à: Vous livrez à Marcory ?']), { timeout: 10_000, interval: 50 });
    expect(graph.typings(AWA)).not.toHaveLength(0);
    const health = await (await fetch(`${origin}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', channels: { whatsapp: { state: 'ready', detail: 'Cloud API, Mode Ivoire' } } });
    const metrics = await (await fetch(`${origin}/metrics`)).text();
    expect(metrics).toMatch(/akwaba_replies_total\{channel="whatsapp",kind="answer"\} 1/);
    expect(metrics).toContain('akwaba_whatsapp_statuses_total');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const secret of [graph.accessToken, APP_SECRET, VERIFY_TOKEN, AWA]) expect(output).not.toContain(secret);
  }, 120_000);
});
