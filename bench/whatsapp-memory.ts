/**
 * What each WhatsApp transport costs in memory: the bot idle with no WhatsApp, with the Cloud
 * API (`WHATSAPP_MODE=cloud`, against a local stand-in for the Graph API) and with WhatsApp Web
 * (`WHATSAPP_MODE=web`: whatsapp-web.js drives the system Chromium). Each start reuses an
 * initialised DATA_DIR (a restart: the embedded database's first-start peak is not counted),
 * idles, then the bot's RSS and that of every process it started (Chromium) are read from `/proc`.
 *
 * Run: npm run build && npx tsc -p bench/tsconfig.json && node dist/bench/whatsapp-memory.js
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnBot } from './bot-process.js';
import { median, sleep } from './stats.js';

type Mode = 'none' | 'cloud' | 'web';
const RUNS = Number(process.env.RUNS ?? 3);
const IDLE_MS = Number(process.env.IDLE_MS ?? 10_000);
const MB = 1024 * 1024;

/** Resident and proportional memory of a process, in bytes (PSS shares pages fairly between processes). */
function memoryOf(pid: number): { rss: number; pss: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) * 1024;
  return { rss: kb('Rss'), pss: kb('Pss') };
}

/** Every process below `pid` (Chromium's browser, zygotes, renderers, GPU and utility processes). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = [...parentOf].filter(([, parent]) => frontier.includes(parent)).map(([child]) => child);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/** Answers the Cloud API channel's start-up check, as graph.facebook.com would. */
async function graphStandIn(): Promise<{ url: string; close(): void }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ verified_name: 'Mode Ivoire', id: '106540352242922' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

function envOf(mode: Mode, graphUrl: string): Record<string, string> {
  if (mode === 'cloud') {
    return {
      WHATSAPP_MODE: 'cloud',
      WHATSAPP_CLOUD_ACCESS_TOKEN: `EAAG${'0'.repeat(40)}`,
      WHATSAPP_CLOUD_PHONE_NUMBER_ID: '106540352242922',
      WHATSAPP_CLOUD_APP_SECRET: '4f1d2c3b4a5968778695a4b3c2d1e0f9',
      WHATSAPP_CLOUD_VERIFY_TOKEN: 'verify-token-3f9a1c7e',
      WHATSAPP_CLOUD_API_ROOT: graphUrl,
    };
  }
  return mode === 'web' ? { WHATSAPP_MODE: 'web', CHROMIUM_PATH: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' } : {};
}

async function measure(mode: Mode, template: string, graphUrl: string): Promise<{ bot: number; children: number; childrenPss: number; processes: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), `akwaba-memory-${mode}-`));
  cpSync(template, dataDir, { recursive: true });
  const bot = spawnBot('akwaba', { DATA_DIR: dataDir, HTTP_PORT: '0', LOG_LEVEL: 'info', ...envOf(mode, graphUrl) }, dataDir);
  try {
    await bot.waitForOutput(/akwaba is running/, 60_000);
    await sleep(IDLE_MS);
    const children = descendants(bot.pid).map((pid) => {
      try {
        return memoryOf(pid);
      } catch {
        return { rss: 0, pss: 0 };
      }
    });
    return {
      bot: memoryOf(bot.pid).rss,
      children: children.reduce((sum, child) => sum + child.rss, 0),
      childrenPss: children.reduce((sum, child) => sum + child.pss, 0),
      processes: children.length,
    };
  } finally {
    await bot.stop(10_000);
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
}

async function main(): Promise<void> {
  const template = mkdtempSync(join(tmpdir(), 'akwaba-memory-template-'));
  const first = spawnBot('akwaba', { DATA_DIR: template, HTTP_PORT: '0', LOG_LEVEL: 'info' }, template);
  await first.waitForOutput(/akwaba is running/, 60_000);
  await first.stop();
  const graph = await graphStandIn();
  const modes: Mode[] = existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') ? ['none', 'cloud', 'web'] : ['none', 'cloud'];
  const rows: string[] = [];
  try {
    for (const mode of modes) {
      const runs = [];
      for (let run = 0; run < RUNS; run += 1) runs.push(await measure(mode, template, graph.url));
      const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
      const bot = median(runs.map((run) => run.bot));
      const children = median(runs.map((run) => run.children));
      const childrenPss = median(runs.map((run) => run.childrenPss));
      rows.push(
        `| ${mode} | ${mb(bot)} | ${runs.map((run) => mb(run.bot)).join(', ')} | ${runs[0]!.processes} | ${mb(children)} | ${mb(childrenPss)} |`,
      );
    }
  } finally {
    graph.close();
    rmSync(template, { recursive: true, force: true });
  }
  process.stdout.write(
    `Idle ${IDLE_MS / 1000} s after a restart, ${RUNS} runs (median):\n\n` +
      '| WhatsApp | Bot process RSS | Each run | Child processes | Their RSS (sum) | Their PSS (sum) |\n| --- | --- | --- | --- | --- | --- |\n' +
      `${rows.join('\n')}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
