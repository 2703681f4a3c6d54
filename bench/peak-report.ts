import type { BurstResult, RetryResult } from './peak.js';
import type { Summary } from './stats.js';

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : 'n/a');
const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
const spread = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)}`;

/** The peak-hour stories of the scenario, each bot side by side in the same run. */
export function peakSection(peak: { retry: RetryResult[]; burst: BurstResult[] }): string[] {
  const out = ['## Peak hour: the scenario’s 18:32 and Black Friday', ''];
  const [firstRetry] = peak.retry;
  if (firstRetry) {
    out.push(
      `**18:32.** ${firstRetry.chats} customers ask at once; the model takes 20 s for a first question (the deadline is 8 s). Each`,
      `customer writes again 3 s after the deadline; the model answers that retry in ${firstRetry.modelLatencyMs} ms. Time from the`,
      'retry reaching the bot to its answer, against the model’s own latency:',
      '',
      row(['bot', 'retry → answer p50 / p99', 'retries never answered', 'other messages per customer']),
      row(['---', '---', '---', '---']),
      ...peak.retry.map((r) => row([r.kind, spread(r.retryToAnswer), r.unanswered, r.otherMessagesPerCustomer.toFixed(2)])),
      '',
    );
  }
  const [firstBurst] = peak.burst;
  if (firstBurst) {
    out.push(
      `**Black Friday.** ${firstBurst.chats} customers at once against a quota of ${firstBurst.quota} requests that resets after`,
      `${(firstBurst.resetAfterMs / 1000).toFixed(0)} s (429 with \`retry-after\` until then):`,
      '',
      row(['bot', 'answered before the reset', 'answered ≤ 2 s after it', 'never answered', 'reset → answer p50 / p99', 'other messages per customer']),
      row(['---', '---', '---', '---', '---', '---']),
      ...peak.burst.map((r) =>
        row([r.kind, r.answeredBeforeReset, r.answeredWithin2sOfReset, r.neverAnswered, spread(r.afterReset), r.otherMessagesPerCustomer.toFixed(2)]),
      ),
      '',
    );
  }
  return out;
}
