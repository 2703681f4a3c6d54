/**
 * A fake of CinetPay's checkout API on 127.0.0.1, following CinetPay's documentation:
 * - https://docs.cinetpay.com/api/1.0-en/checkout/initialisation: `POST /v2/payment` with
 *   JSON `apikey`, `site_id`, `transaction_id` (unique), `amount` (XOF: a multiple of 5),
 *   `currency`, `description`, `notify_url`, `return_url`, `channels`; answers
 *   `{ code: "201", message: "CREATED", data: { payment_token, payment_url } }`.
 * - https://docs.cinetpay.com/api/1.0-en/checkout/verification: `POST /v2/payment/check`
 *   with `apikey`, `site_id`, `transaction_id`; answers `{ code: "00", message: "SUCCES",
 *   data: { amount, currency, status: "ACCEPTED", payment_method, operator_id, … } }`, or the
 *   code table's `662 WAITING_CUSTOMER_PAYMENT` while the customer has not paid, `600
 *   PAYMENT_FAILED` (status `REFUSED`) when it failed; a wrong key gets `609 AUTH_NOT_FOUND`.
 * - https://docs.cinetpay.com/api/1.0-en/checkout/hmac: the notification is a form POST to
 *   `notify_url` (`cpm_site_id`, `cpm_trans_id`, `cpm_trans_date`, `cpm_amount`,
 *   `cpm_currency`, `signature`, `payment_method`, `cel_phone_num`, …) with an `x-token`
 *   header, the HMAC-SHA256 of those fields concatenated, keyed with the secret key. It is sent
 *   once; CinetPay first pings the URL with a GET.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cinetpayToken } from '../../src/shop/payments/cinetpay/index.js';
import { readBody } from './http-util.js';

/** A transaction as the fake keeps it. */
export interface CinetPayTransaction {
  readonly transactionId: string;
  readonly token: string;
  amount: number;
  currency: string;
  readonly notifyUrl: string;
  status: 'WAITING' | 'ACCEPTED' | 'REFUSED';
  paidAmount?: number;
  paidCurrency?: string;
  operatorId?: string;
}

export type CinetPayFault = { status: 429 | 500 | 503 } | { hang: true } | { reset: true };

export interface FakeCinetPay {
  readonly url: string;
  readonly apiKey: string;
  readonly siteId: string;
  readonly secretKey: string;
  readonly transactions: Map<string, CinetPayTransaction>;
  /** `init` and `check` calls, in order, as `init <transaction_id>` / `check <transaction_id>`. */
  readonly calls: string[];
  /** Statuses the notification URL answered. */
  readonly notifications: number[];
  failNext(kind: 'init' | 'check', fault: CinetPayFault): void;
  /** Notifications go to this origin instead of `notify_url`'s (the owner's reverse proxy). */
  routeNotificationsTo(origin: string): void;
  /** The customer pays with Orange Money; `notify: false` loses the notification. */
  pay(transactionId: string, options?: { amount?: number; currency?: string; notify?: boolean }): Promise<void>;
  refuse(transactionId: string, options?: { notify?: boolean }): Promise<void>;
  /** Sends the notification of a transaction now (with another key to forge it); resolves with the status. */
  notify(transactionId: string, options?: { secretKey?: string; token?: string | null }): Promise<number>;
  close(): Promise<void>;
}

export async function startFakeCinetPay(options: { apiKey?: string; siteId?: string; secretKey?: string } = {}): Promise<FakeCinetPay> {
  const apiKey = options.apiKey ?? '12912847765bc0db748fdd44.40081707';
  const siteId = options.siteId ?? '445160';
  const secretKey = options.secretKey ?? 'cinetpay-secret-FAKE-2718281828459045';
  const transactions = new Map<string, CinetPayTransaction>();
  const calls: string[] = [];
  const notifications: number[] = [];
  const faults = { init: [] as CinetPayFault[], check: [] as CinetPayFault[] };
  let notifyOrigin: string | undefined;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const apiResponseId = () => randomBytes(8).toString('hex');

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const kind = path === '/v2/payment' ? 'init' : path === '/v2/payment/check' ? 'check' : undefined;
    if (req.method !== 'POST' || !kind) return send(res, 404, { code: '404', message: 'NOT_FOUND' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBody(req)).toString('utf8')) as Record<string, unknown>;
    } catch {
      return send(res, 400, { code: '608', message: 'MINIMUM_REQUIRED_FIELDS', description: 'Body is not JSON', api_response_id: apiResponseId() });
    }
    calls.push(`${kind} ${String(body.transaction_id)}`);
    const fault = faults[kind].shift();
    if (fault && 'hang' in fault) return;
    if (fault && 'reset' in fault) return void req.socket.destroy();
    if (fault) return send(res, fault.status, { code: String(fault.status), message: 'SERVICE_UNAVAILABLE' });
    if (body.apikey !== apiKey || String(body.site_id) !== siteId) {
      return send(res, 403, { code: '609', message: 'AUTH_NOT_FOUND', description: 'apikey or site_id not found', api_response_id: apiResponseId() });
    }
    const transactionId = String(body.transaction_id ?? '');
    if (kind === 'check') {
      const transaction = transactions.get(transactionId);
      if (!transaction) return send(res, 404, { code: '404', message: 'TRANSACTION_NOT_FOUND', api_response_id: apiResponseId() });
      return send(res, 200, checkAnswer(transaction));
    }
    const amount = body.amount;
    const missing = ['transaction_id', 'amount', 'currency', 'description', 'notify_url', 'return_url', 'channels'].filter((field) => body[field] === undefined);
    if (missing.length > 0 || typeof amount !== 'number' || !Number.isInteger(amount) || amount % 5 !== 0) {
      return send(res, 400, { code: '608', message: 'MINIMUM_REQUIRED_FIELDS', description: `missing or invalid: ${missing.join(', ') || 'amount'}`, api_response_id: apiResponseId() });
    }
    if (transactions.has(transactionId)) {
      return send(res, 400, { code: '624', message: 'TRANSACTION_EXIST', description: 'transaction_id already used', api_response_id: apiResponseId() });
    }
    const token = randomBytes(20).toString('hex');
    transactions.set(transactionId, { transactionId, token, amount, currency: String(body.currency), notifyUrl: String(body.notify_url), status: 'WAITING' });
    send(res, 200, {
      code: '201',
      message: 'CREATED',
      description: 'Transaction created with success',
      data: { payment_token: token, payment_url: `https://checkout.cinetpay.com/payment/${token}` },
      api_response_id: apiResponseId(),
    });
  }

  function checkAnswer(transaction: CinetPayTransaction): Record<string, unknown> {
    const data = {
      amount: String(transaction.paidAmount ?? transaction.amount),
      currency: transaction.paidCurrency ?? transaction.currency,
      status: transaction.status === 'WAITING' ? 'WAITING_FOR_CUSTOMER' : transaction.status,
      payment_method: transaction.status === 'WAITING' ? null : 'OM',
      description: 'Mode Ivoire',
      metadata: null,
      operator_id: transaction.operatorId ?? null,
      payment_date: transaction.status === 'WAITING' ? null : new Date().toISOString().replace('T', ' ').slice(0, 19),
    };
    if (transaction.status === 'ACCEPTED') return { code: '00', message: 'SUCCES', data, api_response_id: apiResponseId() };
    if (transaction.status === 'REFUSED') return { code: '600', message: 'PAYMENT_FAILED', data, api_response_id: apiResponseId() };
    return { code: '662', message: 'WAITING_CUSTOMER_PAYMENT', data, api_response_id: apiResponseId() };
  }

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => send(res, 500, { code: '500', message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const transactionOrThrow = (id: string) => {
    const transaction = transactions.get(id);
    if (!transaction) throw new Error(`fake-cinetpay: no transaction ${id}`);
    return transaction;
  };

  const fake: FakeCinetPay = {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    siteId,
    secretKey,
    transactions,
    calls,
    notifications,
    failNext(kind, fault) {
      faults[kind].push(fault);
    },
    routeNotificationsTo(origin) {
      notifyOrigin = origin;
    },
    async pay(id, payment = {}) {
      const transaction = transactionOrThrow(id);
      Object.assign(transaction, {
        status: 'ACCEPTED',
        paidAmount: payment.amount ?? transaction.amount,
        paidCurrency: payment.currency ?? transaction.currency,
        operatorId: `MP${randomBytes(5).toString('hex').toUpperCase()}`,
      });
      if (payment.notify !== false) await fake.notify(id);
    },
    async refuse(id, refusal = {}) {
      transactionOrThrow(id).status = 'REFUSED';
      if (refusal.notify !== false) await fake.notify(id);
    },
    async notify(id, notification = {}) {
      const transaction = transactionOrThrow(id);
      const fields: Record<string, string> = {
        cpm_site_id: siteId,
        cpm_trans_id: id,
        cpm_trans_date: new Date().toISOString().replace('T', ' ').slice(0, 19),
        cpm_amount: String(transaction.paidAmount ?? transaction.amount),
        cpm_currency: transaction.paidCurrency ?? transaction.currency,
        signature: randomBytes(16).toString('hex'),
        payment_method: 'OM',
        cel_phone_num: '0707070707',
        cpm_phone_prefixe: '225',
        cpm_language: 'fr',
        cpm_version: 'V4',
        cpm_payment_config: 'SINGLE',
        cpm_page_action: 'PAYMENT',
        cpm_custom: '',
        cpm_designation: 'Mode Ivoire',
        cpm_error_message: transaction.status === 'REFUSED' ? 'PAYMENT_FAILED' : 'SUCCES',
      };
      const token = notification.token === undefined ? cinetpayToken(notification.secretKey ?? secretKey, fields) : notification.token;
      const target = new URL(transaction.notifyUrl);
      const url = notifyOrigin ? `${notifyOrigin}${target.pathname}` : transaction.notifyUrl;
      let status = 0;
      try {
        await fetch(url, { method: 'GET' }).then((ping) => ping.arrayBuffer());
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token !== null && { 'x-token': token }) },
          body: new URLSearchParams(fields).toString(),
        });
        status = response.status;
        await response.arrayBuffer();
      } catch {
        status = 0;
      }
      notifications.push(status);
      return status;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
  return fake;
}
