import { soakFigures, type SoakRun } from './soak.js';

const mb = (bytes: number, digits = 1) => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(digits)} MB` : 'n/a');
const signedMb = (bytes: number) => (Number.isFinite(bytes) ? `${bytes >= 0 ? '+' : '−'}${mb(Math.abs(bytes), 2)}` : 'n/a');
const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;

/** The memory soak: each bot's memory over many messages from many customers, side by side. */
export function soakSection(runs: readonly SoakRun[]): string[] {
  const [first] = runs;
  if (!first) return [];
  const { customers, messages, inFlight, sampleEvery, warmupMessages } = first.options;
  const out = [
    '## Memory soak',
    '',
    `${messages.toLocaleString('en')} messages from ${customers.toLocaleString('en')} customers (${Math.round(messages / customers)} each, one after the other's reply), ${inFlight} customers`,
    'writing at any time: a new customer starts when one is done, so every customer is new to the bot. The model answers',
    `at once. RSS (VmRSS) and, for akwaba, V8's heap used (\`/metrics\`) sampled every ${sampleEvery.toLocaleString('en')} replies; "after warm-up" is`,
    `the sample at ${warmupMessages.toLocaleString('en')} replies, the slope is the least-squares fit of the samples from there to the end.`,
    'One fresh process per bot, one after the other: akwaba as it starts by default, with the small-VPS profile\'s Node',
    'flags (`docs/deploy.md`), that profile with Supabase configured (the bench\'s fake data API), then the naive bot.',
    '',
    row(['Bot', 'RSS after warm-up', 'RSS at the end', 'RSS slope per 10k messages', 'Peak RSS (VmHWM)', 'Heap used after warm-up / end', 'Heap slope per 10k', 'CPU per message', 'Replies', 'Run']),
    row(['---', '---', '---', '---', '---', '---', '---', '---', '---', '---']),
  ];
  for (const run of runs) {
    const f = soakFigures(run);
    out.push(
      row([
        run.label,
        mb(f.rssAfterWarmup),
        mb(f.rssEnd),
        signedMb(f.rssSlopePer10k),
        mb(run.peakRssBytes),
        `${mb(f.heapAfterWarmup)} / ${mb(f.heapEnd)}`,
        signedMb(f.heapSlopePer10k),
        `${run.cpuMsPerMessage.toFixed(2)} ms`,
        `${run.replies.toLocaleString('en')}${run.fallbacks > 0 ? ` (${run.fallbacks} fallbacks)` : ''}`,
        `${run.seconds.toFixed(0)} s`,
      ]),
    );
  }
  const step = Math.max(1, Math.round(first.samples.length / 10));
  out.push('', 'RSS along the run (MB, every ' + `${(step * sampleEvery).toLocaleString('en')} replies):`, '');
  for (const run of runs) {
    const picked = run.samples.filter((_, i) => i % step === 0 || i === run.samples.length - 1);
    out.push(`- ${run.label}: ${picked.map((s) => `${(s.messages / 1000).toFixed(s.messages % 1000 === 0 ? 0 : 1)}k ${(s.rssBytes / 1024 / 1024).toFixed(0)}`).join(' · ')}`);
  }
  const short = runs.filter((r) => r.replies < messages);
  if (short.length > 0) out.push('', `- Runs that stopped short: ${short.map((r) => `${r.label} ${r.replies}/${messages}`).join('; ')}.`);
  const noisy = runs.filter((r) => r.errorLines > 0);
  if (noisy.length > 0) out.push('', `- Error log lines: ${noisy.map((r) => `${r.label} ${r.errorLines}`).join('; ')}.`);
  return out;
}
