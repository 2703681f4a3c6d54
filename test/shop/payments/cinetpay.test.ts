import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cinetpayToken, createCinetPayProvider } from '../../../src/shop/payments/cinetpay/index.js';
import { NotificationError, type PaymentProvider } from '../../../src/shop/payments/types.js';
import { startFakeCinetPay, type FakeCinetPay } from '../../support/fake-cinetpay.js';

const PUBLIC_URL = 'https://boutique.mode-ivoire.ci';

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('the CinetPay provider against a fake of its checkout API', () => {
  let cinetpay: FakeCinetPay;
  let provider: PaymentProvider;
  beforeAll(async () => {
    cinetpay = await startFakeCinetPay();
    provider = createCinetPayProvider({ apiKey: cinetpay.apiKey, siteId: cinetpay.siteId, secretKey: cinetpay.secretKey, apiRoot: cinetpay.url, publicUrl: PUBLIC_URL, timeoutMs: 1000 });
  });
  afterAll(() => cinetpay.close());

  it('initialises a payment for the amount, notified on PUBLIC_URL, and reads its status from the check call', async () => {
    const created = await provider.create({ reference: 'AKW-1042-c1c2c3', amountFcfa: 47_000, orderNumber: 1042, description: 'Mode Ivoire commande 1042' });
    const transaction = cinetpay.transactions.get('AKW-1042-c1c2c3')!;
    expect(transaction).toMatchObject({ amount: 47_000, currency: 'XOF', notifyUrl: `${PUBLIC_URL}/payments/cinetpay/notify` });
    expect(created).toEqual({ providerRef: transaction.token, url: `https://checkout.cinetpay.com/payment/${transaction.token}`, expiresAt: null });
    const status = () => provider.status({ reference: 'AKW-1042-c1c2c3', providerRef: created.providerRef });
    expect(await status()).toEqual({ state: 'pending' });
    await cinetpay.pay('AKW-1042-c1c2c3', { notify: false });
    expect(await status()).toMatchObject({ state: 'paid', amount: 47_000, currency: 'XOF', transactionId: expect.stringMatching(/^MP/) });

    await provider.create({ reference: 'AKW-1043-d1d2d3', amountFcfa: 12_000, orderNumber: 1043, description: 'x' });
    await cinetpay.refuse('AKW-1043-d1d2d3', { notify: false });
    expect(await provider.status({ reference: 'AKW-1043-d1d2d3', providerRef: null })).toEqual({ state: 'failed', detail: 'PAYMENT_FAILED' });
  });

  it('refuses what CinetPay would refuse, and tells a refusal from an outage; no key in any message', async () => {
    const odd = await failure(provider.create({ reference: 'AKW-1-oddodd', amountFcfa: 47_001, orderNumber: 1, description: 'x' }));
    expect(odd).toMatchObject({ code: 'provider_refused', provider: 'cinetpay' });
    expect(cinetpay.calls).not.toContain('init AKW-1-oddodd');
    const wrong = createCinetPayProvider({ apiKey: 'WRONG-key-1234567', siteId: cinetpay.siteId, secretKey: 'x', apiRoot: cinetpay.url, publicUrl: PUBLIC_URL });
    const refused = (await failure(wrong.create({ reference: 'AKW-2-wrongk', amountFcfa: 1000, orderNumber: 2, description: 'x' }))) as Error;
    expect(refused).toMatchObject({ code: 'provider_refused', status: 403 });
    expect(refused.message).toContain('AUTH_NOT_FOUND');
    expect(refused.message).not.toContain('WRONG-key');
    for (const fault of [{ status: 503 as const }, { status: 429 as const }, { reset: true as const }, { hang: true as const }]) {
      cinetpay.failNext('check', fault);
      expect(await failure(provider.status({ reference: 'AKW-1042-c1c2c3', providerRef: null }))).toMatchObject({ code: 'provider_unavailable' });
    }
    expect(await failure(provider.status({ reference: 'AKW-404-nope00', providerRef: null }))).toMatchObject({ code: 'provider_refused' });
  });
});

describe('CinetPay notification verification (x-token: HMAC-SHA256 of the cpm_* fields in order)', () => {
  const secretKey = 'cinetpay-secret-test-0000';
  const provider = createCinetPayProvider({ apiKey: 'k', siteId: '445160', secretKey, publicUrl: PUBLIC_URL });
  const fields = {
    cpm_site_id: '445160',
    cpm_trans_id: 'AKW-1042-c1c2c3',
    cpm_trans_date: '2026-12-10 10:00:00',
    cpm_amount: '47000',
    cpm_currency: 'XOF',
    signature: 'abc',
    payment_method: 'OM',
    cel_phone_num: '0707070707',
    cpm_phone_prefixe: '225',
    cpm_language: 'fr',
    cpm_version: 'V4',
    cpm_payment_config: 'SINGLE',
    cpm_page_action: 'PAYMENT',
    cpm_custom: '',
    cpm_designation: 'Mode Ivoire',
    cpm_error_message: 'SUCCES',
  };
  const deliver = (form: Record<string, string>, token: string | null) => () =>
    provider.verifyNotification(
      { headers: new Headers(token === null ? {} : { 'x-token': token }), body: new TextEncoder().encode(new URLSearchParams(form).toString()) },
      Date.now(),
    );
  const refusal = (work: () => unknown): NotificationError => {
    try {
      work();
    } catch (error) {
      expect(error).toBeInstanceOf(NotificationError);
      return error as NotificationError;
    }
    throw new Error('expected a refusal');
  };

  it('accepts a notification whose token matches, and names our payment', () => {
    const token = cinetpayToken(secretKey, fields);
    expect(deliver(fields, token)()).toEqual({ eventId: token, reference: 'AKW-1042-c1c2c3' });
  });

  it('refuses a missing, forged or tampered token (401), and a notification for another site (400)', () => {
    expect(refusal(deliver(fields, null))).toMatchObject({ code: 'forged', httpStatus: 401 });
    expect(refusal(deliver(fields, cinetpayToken('guessed', fields)))).toMatchObject({ code: 'forged' });
    expect(refusal(deliver({ ...fields, cpm_amount: '470' }, cinetpayToken(secretKey, fields)))).toMatchObject({ code: 'forged' });
    const elsewhere = { ...fields, cpm_site_id: '999' };
    expect(refusal(deliver(elsewhere, cinetpayToken(secretKey, elsewhere)))).toMatchObject({ code: 'malformed', httpStatus: 400 });
    const anonymous = { ...fields, cpm_trans_id: '' };
    expect(refusal(deliver(anonymous, cinetpayToken(secretKey, anonymous)))).toMatchObject({ code: 'malformed' });
  });
});
