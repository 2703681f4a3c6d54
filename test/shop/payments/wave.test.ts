import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWaveProvider, waveSignatureHeader } from '../../../src/shop/payments/wave/index.js';
import { NotificationError, PaymentProviderError, type PaymentProvider } from '../../../src/shop/payments/types.js';
import { startFakeWave, type FakeWave } from '../../support/fake-wave.js';

const PUBLIC_URL = 'https://boutique.mode-ivoire.ci';

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('the Wave provider against a fake of the Checkout API', () => {
  let wave: FakeWave;
  let provider: PaymentProvider;
  beforeAll(async () => {
    wave = await startFakeWave();
    provider = createWaveProvider({ apiKey: wave.apiKey, webhookSecret: wave.webhookSecret, apiRoot: wave.url, publicUrl: `${PUBLIC_URL}/`, timeoutMs: 1000 });
  });
  afterAll(() => wave.close());

  it('makes a checkout session for the amount, with our reference and return pages on PUBLIC_URL', async () => {
    const created = await provider.create({ reference: 'AKW-1042-a1b2c3', amountFcfa: 47_000, orderNumber: 1042, description: 'Mode Ivoire commande 1042' });
    const session = wave.sessionOf('AKW-1042-a1b2c3')!;
    expect(session).toMatchObject({ amount: '47000', currency: 'XOF', checkout_status: 'open' });
    expect(session.success_url).toBe(`${PUBLIC_URL}/payments/done?ref=AKW-1042-a1b2c3`);
    expect(session.error_url).toBe(`${PUBLIC_URL}/payments/done?ref=AKW-1042-a1b2c3&error=1`);
    expect(created).toEqual({ providerRef: session.id, url: session.wave_launch_url, expiresAt: Date.parse(session.when_expires) });
  });

  it('reads the status back: pending, still pending after a failed attempt, paid with the amount, or expired', async () => {
    const read = async (reference: string) => {
      const { providerRef } = await provider.create({ reference, amountFcfa: 47_000, orderNumber: 1, description: 'x' });
      return { providerRef, verdict: () => provider.status({ reference, providerRef }) };
    };
    const a = await read('AKW-1-aaaaaa');
    expect(await a.verdict()).toEqual({ state: 'pending' });
    await wave.failAttempt(a.providerRef!, { webhook: false });
    expect(await a.verdict()).toEqual({ state: 'pending' });
    await wave.pay(a.providerRef!, { webhook: false });
    expect(await a.verdict()).toMatchObject({ state: 'paid', amount: 47_000, currency: 'XOF', transactionId: expect.stringMatching(/^T_/) });
    const b = await read('AKW-2-bbbbbb');
    wave.expire(b.providerRef!);
    expect(await b.verdict()).toEqual({ state: 'expired' });
    // a session that is not ours is not believed
    expect(await failure(provider.status({ reference: 'AKW-9-zzzzzz', providerRef: a.providerRef }))).toMatchObject({ code: 'provider_refused' });
  });

  it('sorts failures: 429, 503, a cut or hung connection are worth a retry; a refusal is not; no key in any message', async () => {
    const request = { reference: 'AKW-3-cccccc', amountFcfa: 47_000, orderNumber: 3, description: 'x' };
    for (const fault of [{ status: 429 as const, retryAfter: 2 }, { status: 503 as const }, { reset: true as const }, { hang: true as const }]) {
      wave.failNext('create', fault);
      const error = await failure(provider.create(request));
      expect(error).toBeInstanceOf(PaymentProviderError);
      expect(error).toMatchObject({ code: 'provider_unavailable', provider: 'wave' });
    }
    const wrongKey = createWaveProvider({ apiKey: 'wave_ci_prod_WRONGwrongWRONG', webhookSecret: 'x', apiRoot: wave.url, publicUrl: PUBLIC_URL });
    const refused = (await failure(wrongKey.create(request))) as PaymentProviderError;
    expect(refused).toMatchObject({ code: 'provider_refused', status: 401 });
    expect(refused.message).toContain('missing-auth-header');
    expect(refused.message).not.toContain('WRONGwrong');
    const http = createWaveProvider({ apiKey: wave.apiKey, webhookSecret: 'x', apiRoot: wave.url, publicUrl: 'http://plain.example' });
    expect(await failure(http.create(request))).toMatchObject({ code: 'provider_refused', status: 400 });
  });
});

describe('Wave webhook verification (Wave-Signature: t=…,v1=HMAC-SHA256(secret, t + body))', () => {
  const secret = 'wave_ci_WHS_test-secret-0000000000';
  const provider = createWaveProvider({ apiKey: 'k', webhookSecret: secret, publicUrl: PUBLIC_URL });
  const now = Date.parse('2026-12-10T10:00:00Z');
  const body = JSON.stringify({ id: 'AE_ci_1', type: 'checkout.session.completed', data: { id: 'cos-1', client_reference: 'AKW-1042-a1b2c3' } });
  const deliver = (text: string, signature: string | null) => {
    const headers = new Headers(signature === null ? {} : { 'wave-signature': signature });
    return () => provider.verifyNotification({ headers, body: new TextEncoder().encode(text) }, now);
  };
  const refusal = (work: () => unknown): NotificationError => {
    try {
      work();
    } catch (error) {
      expect(error).toBeInstanceOf(NotificationError);
      return error as NotificationError;
    }
    throw new Error('expected a refusal');
  };
  const t = now / 1000;

  it('accepts a fresh, well-signed event and names our payment', () => {
    expect(deliver(body, waveSignatureHeader(secret, t - 30, body))()).toEqual({ eventId: 'AE_ci_1', reference: 'AKW-1042-a1b2c3' });
    // While Wave rolls the secret, one of several v1 matches.
    expect(deliver(body, `t=${t},v1=${'0'.repeat(64)},v1=${waveSignatureHeader(secret, t, body).split('v1=')[1]}`)()).toMatchObject({ eventId: 'AE_ci_1' });
  });

  it('refuses forged (401), replayed (401) and malformed (400) deliveries', () => {
    expect(refusal(deliver(body, null))).toMatchObject({ code: 'forged', httpStatus: 401 });
    expect(refusal(deliver(body, 'sha256=abc'))).toMatchObject({ code: 'forged' });
    expect(refusal(deliver(body, waveSignatureHeader('another-secret', t, body)))).toMatchObject({ code: 'forged' });
    expect(refusal(deliver(body.replace('AKW-1042', 'AKW-1043'), waveSignatureHeader(secret, t, body)))).toMatchObject({ code: 'forged' });
    expect(refusal(deliver(body, waveSignatureHeader(secret, t - 6 * 60, body)))).toMatchObject({ code: 'replayed', httpStatus: 401 });
    expect(refusal(deliver(body, waveSignatureHeader(secret, t + 6 * 60, body)))).toMatchObject({ code: 'replayed' });
    expect(refusal(deliver('{"id":', waveSignatureHeader(secret, t, '{"id":')))).toMatchObject({ code: 'malformed', httpStatus: 400 });
    expect(refusal(deliver('{"type":"x"}', waveSignatureHeader(secret, t, '{"type":"x"}')))).toMatchObject({ code: 'malformed' });
  });

  it('reads other events (a test event, a payment to the shop) as about no payment of ours', () => {
    const other = JSON.stringify({ id: 'AE_ci_2', type: 'merchant.payment_received', data: { id: 'x', client_reference: 'AKW-1042-a1b2c3' } });
    expect(deliver(other, waveSignatureHeader(secret, t, other))()).toEqual({ eventId: 'AE_ci_2' });
  });
});
