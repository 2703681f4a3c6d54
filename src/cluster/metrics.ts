import type pg from 'pg';
import { Counter, Gauge } from 'prom-client';
import type { Metrics } from '../infra/metrics.js';

/**
 * The shared mode's figures on `/metrics`: the journal's open messages (the work queue of the
 * whole cluster: received, not yet answered) and the age of the oldest, read from Postgres at
 * each scrape; and the chats this instance took over from dead ones.
 *
 * @returns the takeover counter.
 */
export function addClusterMetrics(metrics: Metrics, pool: pg.Pool): Counter {
  let last = { depth: 0, oldestSeconds: 0 };
  const read = async () => {
    try {
      const { rows } = await pool.query<{ depth: string; oldest: string | null }>(
        'SELECT count(*) AS depth, min(received_at) AS oldest FROM cluster.journal WHERE answered_at IS NULL',
      );
      const oldest = rows[0]?.oldest;
      last = { depth: Number(rows[0]?.depth ?? 0), oldestSeconds: oldest ? Math.max(0, (Date.now() - Number(oldest)) / 1000) : 0 };
    } catch {
      // The last figures stay; the store's health says the database is down.
    }
    return last;
  };
  new Gauge({
    name: 'akwaba_cluster_queue_depth',
    help: 'Customer messages journalled by any instance and not answered yet (fallback sent or not)',
    registers: [metrics.registry],
    async collect() {
      this.set((await read()).depth);
    },
  });
  new Gauge({
    name: 'akwaba_cluster_queue_oldest_seconds',
    help: 'Age of the oldest customer message not answered yet, in seconds (0 when none)',
    registers: [metrics.registry],
    async collect() {
      this.set((await read()).oldestSeconds);
    },
  });
  return new Counter({
    name: 'akwaba_cluster_takeovers_total',
    help: 'Chats this instance took over from an instance that died or stopped',
    registers: [metrics.registry],
  });
}
