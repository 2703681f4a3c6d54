import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { startFakeOpenAI } from '../test/support/fake-openai.js';
import { freePort, spawnBot, type BotProcess } from './bot-process.js';
import { startBenchTelegram } from './fake-telegram.js';
import { FALLBACK, TOKEN } from './stack.js';
import { sleep, until } from './stats.js';

/**
 * `node dist/bench/instances.js` (or `node dist/bench/run.js instances`): the shared mode on
 * the local Postgres with one, two and three instances, beside the single-process default, on
 * the same load: `chats` customers each sending `perChat` messages, the next once the reply is
 * in. One instance polls Telegram (the lock), the chats are spread over all of them.
 */
export interface InstancesRun {
  readonly setup: string;
  readonly messages: number;
  readonly fallbacks: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** akwaba's CPU (every instance) per message, ms. */
  readonly cpuMsPerMessage: number;
  /** The Postgres server's CPU per message, ms (0 for the default: it has no server). */
  readonly postgresCpuMsPerMessage: number;
  /** Postgres transactions (≈ round trips) per message. */
  readonly postgresTransactionsPerMessage: number;
}

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' } as const;

const answered = new Set<string>();
/** True once `/healthz` on `port` answered (polled from `until`, which wants a synchronous test). */
function healthy(port: string): boolean {
  if (answered.has(port)) return true;
  fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
    () => answered.add(port),
    () => undefined,
  );
  return false;
}

/** CPU time of every `postgres` process on this machine, ms (utime + stime). */
function postgresCpuMs(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10; // CLK_TCK is 100 on Linux
}

export async function benchInstances(instances: number, options: { chats: number; perChat: number }): Promise<InstancesRun> {
  const telegram = await startBenchTelegram(TOKEN);
  const openai = await startFakeOpenAI();
  const database = instances > 0 ? `akwaba_bench_${process.pid}_${instances}` : undefined;
  const admin = new pg.Client({ ...PG, database: 'postgres' });
  await admin.connect();
  if (database) await admin.query(`CREATE DATABASE ${database}`);
  const bots: BotProcess[] = [];
  const dirs: string[] = [];
  const transactions = async () =>
    database ? Number((await admin.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [database])).rows[0]?.n ?? 0) : 0;
  try {
    for (let i = 0; i < Math.max(1, instances); i += 1) {
      const dataDir = mkdtempSync(join(tmpdir(), 'akwaba-bench-instances-'));
      dirs.push(dataDir);
      const env: Record<string, string> = {
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: telegram.url,
        OPENAI_API_KEY: 'sk-bench',
        OPENAI_BASE_URL: `${openai.url}/v1`,
        HTTP_PORT: String(await freePort()),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        ...(database && { DATABASE_URL: `postgresql://${PG.user}@${PG.host}:${PG.port}/${database}` }),
      };
      const bot = spawnBot('akwaba', env, dataDir);
      bots.push(bot);
      // One at a time (the first migrates): each answers /healthz before the next starts and the load begins.
      const up = await until(() => healthy(env.HTTP_PORT!), 60_000, 100);
      if (!up) throw new Error(`instance ${i + 1} not up:\n${bot.output()}`);
    }
    await telegram.polling();
    await sleep(500);
    const base = 4_000_000;
    const sent = new Map<number, number>();
    let replies = 0;
    let fallbacks = 0;
    let lastReplyAt = 0;
    const send = (chatId: number) => {
      const count = (sent.get(chatId) ?? 0) + 1;
      sent.set(chatId, count);
      telegram.pushMessage(chatId, `Message ${count} : vous avez la robe bordeaux en M ?`);
    };
    const unsubscribe = telegram.onCall((call) => {
      if (call.method !== 'sendMessage' || call.chatId === undefined || !sent.has(call.chatId)) return;
      if (call.text === FALLBACK) {
        fallbacks += 1;
        return;
      }
      replies += 1;
      lastReplyAt = call.at;
      if (sent.get(call.chatId)! < options.perChat) send(call.chatId);
    });
    const total = options.chats * options.perChat;
    const cpuBefore = bots.reduce((sum, bot) => sum + bot.cpuMs(), 0);
    const pgBefore = postgresCpuMs();
    const txBefore = await transactions();
    const started = performance.now();
    for (let i = 0; i < options.chats; i += 1) send(base + i);
    await until(() => replies >= total, 180_000, 5);
    const seconds = ((replies >= total ? lastReplyAt : performance.now()) - started) / 1000;
    const cpu = bots.reduce((sum, bot) => sum + bot.cpuMs(), 0) - cpuBefore;
    const pgCpu = database ? postgresCpuMs() - pgBefore : 0;
    const tx = (await transactions()) - txBefore;
    unsubscribe();
    return {
      setup: database ? `shared, ${instances} instance${instances > 1 ? 's' : ''}` : 'single process (default)',
      messages: replies,
      fallbacks,
      seconds,
      perSecond: replies / seconds,
      cpuMsPerMessage: cpu / Math.max(1, replies),
      postgresCpuMsPerMessage: pgCpu / Math.max(1, replies),
      postgresTransactionsPerMessage: tx / Math.max(1, replies),
    };
  } finally {
    await Promise.all(bots.map((bot) => bot.stop()));
    await telegram.close();
    await openai.close();
    if (database) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the four set-ups and prints a Markdown table. */
export async function runInstancesSection(options = { chats: 100, perChat: 5 }): Promise<InstancesRun[]> {
  const runs: InstancesRun[] = [];
  for (const instances of [0, 1, 2, 3]) {
    const run = await benchInstances(instances, options);
    process.stderr.write(`[bench instances] ${run.setup}: ${run.perSecond.toFixed(0)} msg/s\n`);
    runs.push(run);
  }
  const lines = [
    `${options.chats} customers × ${options.perChat} messages, fake OpenAI answering at once, this machine:`,
    '',
    '| set-up | msg/s | akwaba CPU ms/msg | Postgres CPU ms/msg | Postgres transactions/msg | fallbacks |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (run) =>
        `| ${run.setup} | ${run.perSecond.toFixed(0)} | ${run.cpuMsPerMessage.toFixed(2)} | ${run.postgresCpuMsPerMessage.toFixed(2)} | ${run.postgresTransactionsPerMessage.toFixed(1)} | ${run.fallbacks} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return runs;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  runInstancesSection(quick ? { chats: 20, perChat: 3 } : undefined).catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
