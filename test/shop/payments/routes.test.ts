/**
 * The providers' notification routes over real HTTP: forged, replayed and malformed
 * notifications are refused and change nothing; a good one is acknowledged before the
 * provider is even asked; nothing secret reaches the log.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cinetpayToken } from '../../../src/shop/payments/cinetpay/index.js';
import { waveSignatureHeader } from '../../../src/shop/payments/wave/index.js';
import { createLogger } from '../../../src/infra/logger.js';
import { startPaymentsStack, type PaymentsStack } from '../../support/payments-stack.js';

function captureLogs(): { destination: Writable; text(): string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { destination, text: () => chunks.join('') };
}

async function orderWithLink(s: PaymentsStack): Promise<void> {
  const chatId = await s.newChat('telegram');
  const outcome = await s.app.orders.place({
    idempotencyKey: `routes-${chatId}`,
    channel: 'telegram',
    chatId,
    customerName: 'Awa Koné',
    phone: '+2250708091011',
    zone: 'Marcory',
    lines: [{ productId: 'robe-cocktail-bordeaux', size: 'M', quantity: 1 }],
  });
  expect(outcome.status).toBe('recorded');
}

describe('Wave webhook route', () => {
  const logs = captureLogs();
  let s: PaymentsStack;
  beforeAll(async () => {
    s = await startPaymentsStack({ provider: 'wave', model: false, logger: createLogger({ level: 'debug', destination: logs.destination }) });
    await orderWithLink(s);
  });
  afterAll(() => s.close());

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${s.url}/payments/wave/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('refuses forged (401), replayed (401) and malformed (400) deliveries; the payment does not move', async () => {
    const session = [...s.wave.sessions.values()].at(-1)!;
    await s.wave.pay(session.id, { webhook: false });
    const body = JSON.stringify({ id: 'AE_ci_forged', type: 'checkout.session.completed', data: session });
    const now = Math.floor(Date.now() / 1000);
    expect((await post(body, {})).status).toBe(401);
    expect((await post(body, { 'wave-signature': waveSignatureHeader('guessed-secret', now, body) })).status).toBe(401);
    expect((await post(body, { 'wave-signature': waveSignatureHeader(s.wave.webhookSecret, now - 10 * 60, body) })).status).toBe(401);
    expect((await post('not json', { 'wave-signature': waveSignatureHeader(s.wave.webhookSecret, now, 'not json') })).status).toBe(400);
    expect((await post('x'.repeat(70_000), { 'wave-signature': 't=1,v1=00' })).status).toBe(413);
    expect(await s.wave.sendEvent('checkout.session.completed', session.id, { secret: 'wrong', retries: 0 })).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(s.wave.calls.filter((call) => call.startsWith('GET'))).toEqual([]);
    expect(await s.store.findPayment({ reference: session.client_reference! })).toMatchObject({ status: 'pending' });
    const log = logs.text();
    expect(log).toContain('"reason":"forged"');
    expect(log).toContain('"reason":"replayed"');
    expect(log).toContain('"reason":"malformed"');
    for (const secret of [s.wave.webhookSecret, s.wave.apiKey]) expect(log).not.toContain(secret);
  });

  it('answers 200 before the work: the check with Wave starts after the answer', async () => {
    const session = [...s.wave.sessions.values()].at(-1)!;
    const hold = s.wave.holdReads();
    try {
      expect(await s.wave.sendEvent('checkout.session.completed', session.id)).toBe(200);
      await expect.poll(() => s.wave.calls.filter((call) => call.startsWith('GET')).length).toBe(1);
      expect(s.wave.inFlight()).toBe(1); // Wave is still being asked while the webhook was answered
      expect(await s.store.findPayment({ reference: session.client_reference! })).toMatchObject({ status: 'pending' });
    } finally {
      hold.release();
    }
    await expect.poll(async () => (await s.store.findPayment({ reference: session.client_reference! }))?.status).toBe('paid');
  });

  it('serves the landing page customers come back to, without echoing anything', async () => {
    const response = await fetch(`${s.url}/payments/done?ref=<script>alert(1)</script>`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('Vous pouvez revenir dans la conversation');
    expect(page).not.toContain('<script>alert');
  });
});

describe('CinetPay notification route', () => {
  let s: PaymentsStack;
  beforeAll(async () => {
    s = await startPaymentsStack({ provider: 'cinetpay', model: false });
    await orderWithLink(s);
  });
  afterAll(() => s.close());

  it('answers the availability ping, refuses a forged token, and never trusts the notification: a replay only triggers a check', async () => {
    expect((await fetch(`${s.url}/payments/cinetpay/notify`)).status).toBe(200);
    const transaction = [...s.cinetpay.transactions.values()].at(-1)!;
    expect(await s.cinetpay.notify(transaction.transactionId, { secretKey: 'guessed' })).toBe(401);
    expect(await s.cinetpay.notify(transaction.transactionId, { token: null })).toBe(401);
    // A genuine notification of a payment not made: checked, still pending.
    expect(await s.cinetpay.notify(transaction.transactionId)).toBe(200);
    await expect.poll(() => s.cinetpay.calls.filter((call) => call.startsWith('check')).length).toBe(1);
    expect(await s.store.findPayment({ reference: transaction.transactionId })).toMatchObject({ status: 'pending' });

    // A forged "amount paid" cannot help: the amount counted is the one the check call reports.
    const fields = new URLSearchParams({ cpm_site_id: s.cinetpay.siteId, cpm_trans_id: transaction.transactionId, cpm_amount: '47000', cpm_currency: 'XOF' });
    const forged = await fetch(`${s.url}/payments/cinetpay/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-token': cinetpayToken('not-the-secret', Object.fromEntries(fields)) },
      body: fields.toString(),
    });
    expect(forged.status).toBe(401);
    await s.cinetpay.pay(transaction.transactionId, { amount: 470, notify: true });
    await expect.poll(async () => (await s.store.findPayment({ reference: transaction.transactionId }))?.status).toBe('review');
  });
});
