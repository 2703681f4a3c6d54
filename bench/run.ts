import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AKWABA, AKWABA_SMALL, AKWABA_SUPABASE, AKWABA_SUPABASE_SMALL, NAIVE, NAIVE_CONCURRENT } from './profiles.js';
import { benchFallback } from './fallback.js';
import { benchBurst, benchRetry, type BurstResult, type RetryResult } from './peak.js';
import { runFootprint, type FootprintRun } from './footprint.js';
import { keptNotes, renderReport, type BenchResults } from './report.js';
import { benchSeedDay, type SeedDayOptions } from './seed-day.js';
import { runSoak, type SoakOptions, type SoakRun } from './soak.js';
import { runThroughput, type ThroughputRun } from './throughput.js';
import { benchTyping, type TypingResult } from './typing.js';

/**
 * `npm run bench`: runs every benchmark against the built bot and writes docs/benchmarks.md.
 *
 * Flags: `--only=footprint,typing,fallback,throughput,seed-day,peak,soak` runs some of them;
 * `--quick` shrinks every run (a smoke test, not figures to publish); `--out=FILE` writes
 * elsewhere; `--no-write` only prints the report; `--cpu-prof=DIR` writes a V8 CPU profile of
 * every akwaba process into DIR (read them with `node dist/bench/profile-summary.js FILE`);
 * `--merge=FILE` adds the sections of an earlier run's results (its `dist/bench/last-run.json`, copied)
 * that this run did not run: the latency sections can then be run apart, on an idle machine.
 */
const SECTIONS = ['footprint', 'typing', 'fallback', 'throughput', 'seed-day', 'peak', 'soak'] as const;
type Section = (typeof SECTIONS)[number];

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))?.split('=')[1] ?? (args.includes(`--${name}`) ? '' : undefined);
const quick = flag('quick') !== undefined;
const only = flag('only')?.split(',').filter(Boolean) ?? [...SECTIONS];
const unknown = only.filter((name) => !(SECTIONS as readonly string[]).includes(name));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown section(s) ${unknown.join(', ')}; pick from ${SECTIONS.join(', ')}\n`);
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = flag('out') || join(root, 'docs', 'benchmarks.md');
const profileDir = flag('cpu-prof');
if (profileDir) process.env.BENCH_CPU_PROF_DIR = profileDir;

const log = (text: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

async function main(): Promise<void> {
  const startedAt = new Date();
  const began = performance.now();
  const sections: Record<string, number> = {};
  const results: { -readonly [K in keyof BenchResults]: BenchResults[K] } = {
    startedAt,
    seconds: 0,
    command: `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
    sections,
  };
  const timed = async <T>(name: Section, work: () => Promise<T>): Promise<T | undefined> => {
    if (!only.includes(name)) return undefined;
    log(`${name}…`);
    const t0 = performance.now();
    const result = await work();
    sections[name] = (performance.now() - t0) / 1000;
    log(`${name} done in ${sections[name]!.toFixed(0)} s`);
    return result;
  };

  results.footprint = await timed('footprint', async () => {
    const runs: FootprintRun[] = [];
    for (let i = 0; i < (quick ? 1 : 3); i += 1) {
      // First start (empty DATA_DIR), the naive bot, then akwaba again on the first one's DATA_DIR.
      const dataDir = mkdtempSync(join(tmpdir(), 'akwaba-bench-restart-'));
      try {
        runs.push(await runFootprint(AKWABA, 2000, { path: dataDir, restart: false }));
        runs.push(await runFootprint(NAIVE, 2000));
        runs.push(await runFootprint(AKWABA, 2000, { path: dataDir, restart: true }));
        runs.push(await runFootprint(AKWABA_SMALL, 2000, { path: dataDir, restart: true }));
        runs.push(await runFootprint(AKWABA_SUPABASE_SMALL, 2000));
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    return runs;
  });

  results.typing = await timed('typing', async () => {
    const runs: TypingResult[] = [];
    for (let i = 0; i < (quick ? 1 : 2); i += 1) {
      for (const kind of ['akwaba', 'typing-only'] as const) runs.push(await benchTyping(kind, { chats: 200, bursts: quick ? 3 : 8 }));
    }
    return runs;
  });

  results.fallback = await timed('fallback', () =>
    benchFallback({ chats: 500, rounds: quick ? 1 : 3, deadlineMs: 2000, lateAnswerMs: 1000 }),
  );

  const throughputShape = { chats: 200, perChat: quick ? 3 : 10 };
  results.throughput = await timed('throughput', async () => {
    const runs: ThroughputRun[] = [];
    const variants = [AKWABA, NAIVE, AKWABA_SMALL, NAIVE_CONCURRENT, AKWABA_SUPABASE, AKWABA_SUPABASE_SMALL];
    for (let i = 0; i < (quick ? 1 : 3); i += 1) {
      for (const variant of variants) {
        const run = await runThroughput(variant, throughputShape);
        log(`  ${variant.label}: ${run.perSecond.toFixed(0)} msg/s, ${run.cpuMsPerMessage.toFixed(2)} ms CPU/msg, peak ${(run.peakRssBytes / 1e6).toFixed(0)} MB`);
        runs.push(run);
      }
    }
    return { runs, ...throughputShape };
  });

  const seedDayOptions: SeedDayOptions = {
    conversations: quick ? 30 : 100,
    arrivalWindowMs: quick ? 10_000 : 30_000,
    troubledShare: 0.15,
    normalLatencyMs: [1000, 2000],
    deadlineMs: 8000,
    capMs: quick ? 60_000 : 150_000,
    graceMs: 15_000,
  };
  const seeds = quick ? [1] : [1, 2];
  results.seedDay = await timed('seed-day', async () => ({
    runs: await benchSeedDay(['akwaba', 'naive', 'naive-concurrent'], seeds, seedDayOptions),
    options: seedDayOptions,
    seeds,
  }));

  results.peak = await timed('peak', async () => {
    const retry: RetryResult[] = [];
    const burst: BurstResult[] = [];
    // The scenario's bot (each update answered on its own, no fallback) beside akwaba, interleaved.
    for (let i = 0; i < (quick ? 1 : 2); i += 1) {
      for (const kind of ['akwaba', 'naive-concurrent'] as const) {
        retry.push(await benchRetry(kind, { chats: quick ? 10 : 50, deadlineMs: 8000 }));
        burst.push(await benchBurst(kind, { chats: 50, quota: 40, resetAfterMs: 12_000, deadlineMs: 8000 }));
        log(`  ${kind}: retry p50 ${retry.at(-1)!.retryToAnswer.p50.toFixed(0)} ms, burst ${burst.at(-1)!.answeredWithin2sOfReset} answered ≤ 2 s after the reset`);
      }
    }
    return { retry, burst };
  });

  const soakOptions: SoakOptions = quick
    ? { customers: 500, messages: 5000, inFlight: 200, sampleEvery: 250, warmupMessages: 1000 }
    : { customers: 5000, messages: 50_000, inFlight: 200, sampleEvery: 1000, warmupMessages: 5000 };
  results.soak = await timed('soak', async () => {
    const runs: SoakRun[] = [];
    // The default, the small-VPS profile of docs/deploy.md, that profile with Supabase (a 1 GB machine's pick), a bare bot.
    for (const variant of [AKWABA, AKWABA_SMALL, AKWABA_SUPABASE_SMALL, NAIVE]) {
      runs.push(await runSoak(variant, soakOptions));
      log(`  ${variant.label}: ${runs.at(-1)!.replies} replies in ${runs.at(-1)!.seconds.toFixed(0)} s`);
    }
    return runs;
  });

  results.seconds = (performance.now() - began) / 1000;
  const merge = flag('merge');
  if (merge) {
    const earlier = JSON.parse(readFileSync(merge, 'utf8')) as Record<string, unknown> & { sections?: Record<string, number> };
    const mine = results as Record<string, unknown>;
    for (const [key, value] of Object.entries(earlier)) {
      if (!['startedAt', 'seconds', 'command', 'sections'].includes(key) && mine[key] === undefined) mine[key] = value;
    }
    for (const [name, seconds] of Object.entries(earlier.sections ?? {})) sections[name] ??= seconds;
  }
  const report = renderReport(results, keptNotes(out));
  if (flag('no-write') !== undefined) {
    process.stdout.write(report);
  } else {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, report);
    log(`wrote ${out}`);
  }
  writeFileSync(join(dirname(fileURLToPath(import.meta.url)), 'last-run.json'), JSON.stringify(results, null, 2));
  log(`whole bench: ${results.seconds.toFixed(0)} s`);
}

// `node dist/bench/run.js instances`: the shared mode, 1 vs 2 vs 3 instances (optional; not in the report).
const run = args[0] === 'instances' ? import('./instances.js').then((bench) => bench.runInstancesSection(quick ? { chats: 20, perChat: 3 } : undefined)) : main();
run.catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
