import type { BenchResults } from './report.js';
import { median } from './stats.js';

const MB = 1024 * 1024;
const ms = (value: number, digits = 1) => (Number.isFinite(value) ? `${value.toFixed(digits)} ms` : 'n/a');
const mb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / MB).toFixed(1)} MB` : 'n/a');
const times = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)} ×` : 'n/a');
const verdict = (ok: boolean) => (ok ? '✅ met' : '❌ missed');
const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
const med = <T>(runs: readonly T[], pick: (run: T) => number) => median(runs.map(pick));

/**
 * The targets of "light enough for a 1 GB VPS" (issue 12) beside what this run measured; each
 * akwaba figure is its median over the interleaved runs, against the naive bot's of the same run.
 */
export function targetsTable(results: BenchResults): string[] {
  const lines = ['## Targets', '', row(['Figure', 'Target', 'Measured', '']), row(['---', '---', '---', '---'])];
  const { typing, fallback, throughput, seedDay, footprint } = results;
  if (throughput) {
    const of = (label: string) => throughput.runs.filter((r) => r.label === label);
    const naive = of('naive');
    const cpuNaive = med(naive, (r) => r.cpuMsPerMessage);
    const rateNaive = med(naive, (r) => r.perSecond);
    const p50Naive = med(naive, (r) => r.roundTrip.p50);
    for (const label of ['akwaba', 'akwaba, small-VPS profile']) {
      const runs = of(label);
      if (runs.length === 0) continue;
      const cpu = med(runs, (r) => r.cpuMsPerMessage) / cpuNaive;
      const rate = med(runs, (r) => r.perSecond) / rateNaive;
      const p50 = med(runs, (r) => r.roundTrip.p50) / p50Naive;
      lines.push(row([`CPU per message, ${label} ÷ naive`, '≤ 1.2 ×', times(cpu), verdict(cpu <= 1.2)]));
      lines.push(row([`Throughput, ${label} ÷ naive`, '≥ 1 ×', times(rate), verdict(rate >= 1)]));
      lines.push(row([`Reply latency p50, ${label} ÷ naive`, '≤ 1.5 ×', times(p50), verdict(p50 <= 1.5)]));
    }
    for (const [label, limit] of [
      ['akwaba', 250],
      ['akwaba, small-VPS profile', 250],
      ['akwaba, Supabase', 150],
      ['akwaba, Supabase, small-VPS profile', 150],
    ] as const) {
      const runs = of(label);
      if (runs.length === 0) continue;
      const peak = med(runs, (r) => r.peakRssBytes);
      lines.push(row([`Peak RSS under that load, ${label}`, `≤ ${limit} MB`, mb(peak), verdict(peak <= limit * MB)]));
    }
  }
  if (footprint) {
    const idle = (label: string, restart: boolean) => med(footprint.filter((r) => r.label === label && r.restart === restart), (r) => r.idleRssBytes);
    const first = idle('akwaba', false);
    const restart = idle('akwaba', true);
    lines.push(row(['Idle RSS, first start ÷ restart (embedded database)', '≤ 1 ×', `${times(first / restart)} (${mb(first)} / ${mb(restart)})`, verdict(first <= restart * 1.02)]));
    for (const [label, restarted] of [['akwaba', true], ['akwaba, small-VPS profile', true], ['akwaba, Supabase, small-VPS profile', false]] as const) {
      const rss = idle(label, restarted);
      if (Number.isFinite(rss)) lines.push(row([`Idle RSS, ${label}`, '≤ 150 MB', mb(rss), verdict(rss <= 150 * MB)]));
    }
  }
  if (typing) {
    const warm = med(typing.filter((r) => r.kind === 'akwaba'), (r) => r.warm.p99);
    const floor = med(typing.filter((r) => r.kind === 'typing-only'), (r) => r.warm.p99);
    lines.push(row([`Typing after hand-over, 200 chats at once, p99 (warm; typing-only grammY floor ${ms(floor)})`, '≤ 30 ms', ms(warm), verdict(warm <= 30)]));
  }
  if (fallback) {
    const ok = fallback.lateness.p99 <= 30 && fallback.missing === 0;
    lines.push(row([`Fallback after hand-over + deadline, ${fallback.chats} hung chats, p99`, '≤ 30 ms', ms(fallback.lateness.p99), verdict(ok)]));
  }
  if (seedDay) {
    const runs = seedDay.runs.filter((r) => r.kind === 'akwaba');
    const worst = Math.min(...runs.map((r) => r.repliedInTime / r.customerMessages));
    const never = Math.max(0, ...runs.map((r) => r.neverAnswered));
    lines.push(row(["Seed's day: messages answered or covered by the fallback within the deadline (worst run)", '100 %', `${(100 * worst).toFixed(1)} %`, verdict(worst === 1)]));
    lines.push(row(["Seed's day: messages never answered (worst run)", '0', String(never), verdict(never === 0)]));
  }
  return lines;
}
