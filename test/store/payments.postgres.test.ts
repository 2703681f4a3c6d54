import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settlePaymentArgs, toPaymentChange } from '../../src/store/payments.js';
import { openPostgres, type SqlEngine } from './engines.js';
import { describePaymentsSql, newPayment, paymentCalls, placeDressOrder } from './payments-suite.js';

let db: Awaited<ReturnType<typeof openPostgres>>;
beforeAll(async () => {
  db = await openPostgres();
});
afterAll(async () => {
  await db?.close();
});

const engine = (): SqlEngine => db;
describePaymentsSql('PostgreSQL', engine);

describe('payments under concurrency on PostgreSQL', () => {
  it('a webhook, the poller and "j\'ai payé" settling the same payment at once: one change, one "paid"', async () => {
    const order = await placeDressOrder(db);
    const { payment } = await paymentCalls(engine).open(newPayment(order));
    const a = settlePaymentArgs(payment.id, { status: 'paid', by: 'provider', receivedAmount: 47_000, receivedCurrency: 'XOF' });
    const clients = await Promise.all(Array.from({ length: 8 }, () => db.pool.connect()));
    try {
      const results = await Promise.all(
        clients.map(async (client) => {
          await client.query('BEGIN');
          const { rows } = await client.query<{ r: unknown }>('SELECT public.settle_payment($1::uuid, $2, $3, $4::jsonb) AS r', [
            a.p_payment_id,
            a.p_status,
            a.p_by,
            JSON.stringify(a.p_facts),
          ]);
          await client.query('SELECT pg_sleep(0.05)');
          await client.query('COMMIT');
          return toPaymentChange('test', rows[0]!.r);
        }),
      );
      expect(results.filter((r) => r.changed)).toHaveLength(1);
      expect(results.every((r) => r.payment.status === 'paid')).toBe(true);
    } finally {
      for (const client of clients) client.release();
    }
  });

  it('two starts of the same order at once record one payment', async () => {
    const order = await placeDressOrder(db);
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => paymentCalls(engine).open(newPayment(order))));
    const changes = results.map((r) => {
      if (r.status === 'rejected') throw r.reason;
      return r.value;
    });
    expect(changes.filter((c) => c.changed)).toHaveLength(1);
    expect(new Set(changes.map((c) => c.payment.id)).size).toBe(1);
  });
});
