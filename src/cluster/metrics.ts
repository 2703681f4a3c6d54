import type pg from 'pg';
import { Counter, Gauge } from 'prom-client';
import type { Metrics } from '../infra/metrics.js';

const QUEUES = `
  SELECT 'messages' AS queue, count(*) AS depth, min(received_at) AS oldest FROM cluster.journal WHERE answered_at IS NULL
  UNION ALL
  SELECT q.queue, count(j.id), (extract(epoch FROM min(j.created_on)) * 1000)::bigint
  FROM (VALUES ('deliveries'), ('orders')) AS q(queue)
  LEFT JOIN pgboss.job j ON j.name = 'akwaba-' || q.queue AND j.state < 'completed'
  GROUP BY q.queue`;

/**
 * The shared mode's figures on `/metrics`: the journal's open messages (the work queue of the
 * whole cluster: received, not yet answered), the order and delivery queues (pg-boss), and the
 * age of the oldest item of each, read from Postgres at each scrape; and the chats this instance took over from dead ones.
 *
 * @returns the takeover counter.
 */
export function addClusterMetrics(metrics: Metrics, pool: pg.Pool): Counter {
  const depth = new Gauge({
    name: 'akwaba_cluster_queue_depth',
    help: 'Work waiting in the shared queues: customer messages not answered yet (queue="messages"), orders and deliveries not done',
    labelNames: ['queue'],
    registers: [metrics.registry],
    async collect() {
      await read();
    },
  });
  const oldest = new Gauge({
    name: 'akwaba_cluster_queue_oldest_seconds',
    help: 'Age of the oldest item of each shared queue, in seconds (0 when empty)',
    labelNames: ['queue'],
    registers: [metrics.registry],
    async collect() {
      await read();
    },
  });
  // Both gauges from one query per scrape (prom-client collects them together); a failed read leaves the last figures.
  let reading: Promise<void> | undefined;
  async function read(): Promise<void> {
    reading ??= pool
      .query<{ queue: string; depth: string; oldest: string | null }>(QUEUES)
      .then(({ rows }) => {
        for (const row of rows) {
          depth.set({ queue: row.queue }, Number(row.depth));
          oldest.set({ queue: row.queue }, row.oldest === null ? 0 : Math.max(0, (Date.now() - Number(row.oldest)) / 1000));
        }
      })
      .catch(() => undefined)
      .finally(() => (reading = undefined));
    await reading;
  }
  return new Counter({
    name: 'akwaba_cluster_takeovers_total',
    help: 'Chats this instance took over from an instance that died or stopped',
    registers: [metrics.registry],
  });
}
