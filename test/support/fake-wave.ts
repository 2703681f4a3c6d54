/**
 * A fake of Wave's Checkout API and webhooks on 127.0.0.1, following Wave's documentation:
 * - https://docs.wave.com/checkout: `POST /v1/checkout/sessions` (amount as a string, `XOF`,
 *   `success_url`/`error_url` over HTTPS, optional `client_reference`) answers the checkout
 *   session object (`id` `cos-…`, `checkout_status` open|complete|expired, `payment_status`
 *   processing|cancelled|succeeded, `wave_launch_url`, `when_expires` 30 min later);
 *   `GET /v1/checkout/sessions/:id` reads it back; every call needs `Authorization: Bearer <key>`;
 *   errors are `{ code, message }` with a 4xx status.
 * - https://docs.wave.com/webhook: an event `{ id, type, data }` (`checkout.session.completed`,
 *   `checkout.session.payment_failed`, data = the session) is POSTed with
 *   `Wave-Signature: t=<unix>,v1=<HMAC-SHA256(secret, t + body)>`, and retried until the
 *   endpoint answers 2xx, so it may arrive more than once.
 * Faults: a call can be refused with 429 (`retry-after`), 503, left hanging, or cut.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waveSignatureHeader } from '../../src/shop/payments/wave/index.js';
import { readBody } from './http-util.js';

/** A checkout session as the fake keeps it (the API's own shape). */
export interface WaveSession {
  id: string;
  amount: string;
  currency: string;
  checkout_status: 'open' | 'complete' | 'expired';
  payment_status: 'processing' | 'cancelled' | 'succeeded';
  client_reference: string | null;
  business_name: string;
  success_url: string;
  error_url: string;
  wave_launch_url: string;
  transaction_id: string | null;
  last_payment_error: { code: string; message: string } | null;
  when_created: string;
  when_expires: string;
  when_completed: string | null;
}

/** A one-shot fault for the next call of a kind. */
export type WaveFault = { status: 429; retryAfter?: number } | { status: 500 | 503 } | { hang: true } | { reset: true };

/** One webhook POST the fake made. */
export interface WaveDelivery {
  readonly eventId: string;
  readonly type: string;
  readonly status: number;
}

export interface FakeWave {
  readonly url: string;
  readonly apiKey: string;
  readonly webhookSecret: string;
  readonly sessions: Map<string, WaveSession>;
  /** Every API call, in order: `POST /v1/checkout/sessions`, `GET /v1/checkout/sessions/cos-…`. */
  readonly calls: string[];
  readonly deliveries: WaveDelivery[];
  /** Makes the next `create` or `read` call fail once (several queue up). */
  failNext(kind: 'create' | 'read', fault: WaveFault): void;
  /** Makes every such call fail until called again without a fault (Wave is down). */
  failAll(kind: 'create' | 'read', fault: WaveFault | undefined): void;
  /** Every `read` stays unanswered until `release()` (for "2xx before the work"). */
  holdReads(): { release(): void };
  /** Calls not answered yet. */
  inFlight(): number;
  /** Webhooks go to this URL (the shop's registered webhook, routed to the local bot). */
  setWebhookUrl(url: string | undefined): void;
  /** The session of one of our references. */
  sessionOf(reference: string): WaveSession | undefined;
  /** The customer pays (by default the session's amount); `webhook: false` loses the webhook. */
  pay(sessionId: string, options?: { amount?: string; currency?: string; webhook?: boolean }): Promise<void>;
  /** A payment attempt fails: the session stays open; `checkout.session.payment_failed` is sent. */
  failAttempt(sessionId: string, options?: { webhook?: boolean }): Promise<void>;
  /** The session expires unpaid. */
  expire(sessionId: string): void;
  /** POSTs an event for a session now, as Wave would (or with another secret / time); resolves with the status. */
  sendEvent(type: string, sessionId: string, options?: { secret?: string; timestampSeconds?: number; eventId?: string; retries?: number }): Promise<number>;
  close(): Promise<void>;
}

export async function startFakeWave(options: { apiKey?: string; webhookSecret?: string } = {}): Promise<FakeWave> {
  const apiKey = options.apiKey ?? 'wave_ci_prod_FAKEkeyFAKEkeyFAKEkeyFAKEkey0123';
  const webhookSecret = options.webhookSecret ?? 'wave_ci_WHS_fakeWebhookSecret0123456789';
  const sessions = new Map<string, WaveSession>();
  const calls: string[] = [];
  const deliveries: WaveDelivery[] = [];
  const faults = { create: [] as WaveFault[], read: [] as WaveFault[] };
  const down: { create?: WaveFault; read?: WaveFault } = {};
  const open = new Set<ServerResponse>();
  let held: (() => void)[] | undefined;
  let webhookUrl: string | undefined;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    calls.push(`${req.method} ${path}`);
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return send(res, 401, { code: 'missing-auth-header', message: 'Invalid or missing API key.' });
    }
    const kind = req.method === 'POST' && path === '/v1/checkout/sessions' ? 'create' : req.method === 'GET' ? 'read' : undefined;
    if (!kind) return send(res, 404, { code: 'not-found', message: `No route ${req.method} ${path}` });
    if (kind === 'read' && held) await new Promise<void>((resolve) => held!.push(resolve));
    const fault = faults[kind].shift() ?? down[kind];
    if (fault && 'hang' in fault) return;
    if (fault && 'reset' in fault) return void req.socket.destroy();
    if (fault) {
      const headers: Record<string, string> = fault.status === 429 ? { 'retry-after': String(fault.retryAfter ?? 1) } : {};
      return send(res, fault.status, { code: fault.status === 429 ? 'rate-limit-exceeded' : 'internal-server-error', message: 'Try again later.' }, headers);
    }
    if (kind === 'read') {
      const session = sessions.get(decodeURIComponent(path.replace('/v1/checkout/sessions/', '')));
      return session ? send(res, 200, session) : send(res, 404, { code: 'checkout-session-not-found', message: 'No such session.' });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return send(res, 400, { code: 'request-validation-error', message: 'Body is not JSON.' });
    }
    const https = (value: unknown) => typeof value === 'string' && value.startsWith('https://');
    const problems = [
      typeof body.amount === 'string' && /^\d+$/.test(body.amount) ? '' : 'amount must be a string of digits (XOF has no decimals)',
      body.currency === 'XOF' ? '' : 'currency must be XOF',
      https(body.success_url) && https(body.error_url) ? '' : 'success_url and error_url must be https URLs',
      body.client_reference === undefined || (typeof body.client_reference === 'string' && body.client_reference.length <= 255) ? '' : 'client_reference: at most 255 characters',
    ].filter(Boolean);
    if (problems.length > 0) return send(res, 400, { code: 'request-validation-error', message: problems.join('; ') });
    const id = `cos-${randomBytes(7).toString('hex')}`;
    const now = Date.now();
    const session: WaveSession = {
      id,
      amount: body.amount as string,
      currency: 'XOF',
      checkout_status: 'open',
      payment_status: 'processing',
      client_reference: (body.client_reference as string | undefined) ?? null,
      business_name: 'Mode Ivoire',
      success_url: body.success_url as string,
      error_url: body.error_url as string,
      wave_launch_url: `https://pay.wave.com/c/${id}?a=${String(body.amount)}&c=XOF&m=Mode%20Ivoire`,
      transaction_id: null,
      last_payment_error: null,
      when_created: new Date(now).toISOString(),
      when_expires: new Date(now + 30 * 60_000).toISOString(),
      when_completed: null,
    };
    sessions.set(id, session);
    send(res, 200, session);
  }

  const server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    void serve(req, res).catch((error: unknown) => send(res, 500, { code: 'internal-server-error', message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const sessionOrThrow = (id: string) => {
    const session = sessions.get(id);
    if (!session) throw new Error(`fake-wave: no session ${id}`);
    return session;
  };

  const fake: FakeWave = {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    webhookSecret,
    sessions,
    calls,
    deliveries,
    failNext(kind, fault) {
      faults[kind].push(fault);
    },
    failAll(kind, fault) {
      down[kind] = fault;
    },
    holdReads() {
      held = [];
      return {
        release() {
          const waiting = held ?? [];
          held = undefined;
          for (const resume of waiting) resume();
        },
      };
    },
    inFlight: () => open.size,
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    sessionOf: (reference) => [...sessions.values()].find((session) => session.client_reference === reference),
    async pay(id, payment = {}) {
      const session = sessionOrThrow(id);
      Object.assign(session, {
        checkout_status: 'complete',
        payment_status: 'succeeded',
        amount: payment.amount ?? session.amount,
        currency: payment.currency ?? session.currency,
        transaction_id: `T_${randomBytes(6).toString('hex').toUpperCase()}`,
        when_completed: new Date().toISOString(),
      });
      if (payment.webhook !== false) await fake.sendEvent('checkout.session.completed', id);
    },
    async failAttempt(id, attempt = {}) {
      const session = sessionOrThrow(id);
      Object.assign(session, { payment_status: 'cancelled', last_payment_error: { code: 'insufficient-funds', message: 'Solde insuffisant' } });
      if (attempt.webhook !== false) await fake.sendEvent('checkout.session.payment_failed', id);
    },
    expire(id) {
      Object.assign(sessionOrThrow(id), { checkout_status: 'expired' });
    },
    async sendEvent(type, id, event = {}) {
      if (!webhookUrl) throw new Error('fake-wave: no webhook URL registered');
      const eventId = event.eventId ?? `AE_ci_${randomBytes(6).toString('hex')}`;
      const body = JSON.stringify({ id: eventId, type, data: sessionOrThrow(id) });
      let status = 0;
      // Wave retries a delivery until it is acknowledged with a 2xx.
      for (let attempt = 0; attempt <= (event.retries ?? 3); attempt += 1) {
        const timestamp = event.timestampSeconds ?? Math.floor(Date.now() / 1000);
        const signature = waveSignatureHeader(event.secret ?? webhookSecret, timestamp, body);
        try {
          const response = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'wave-signature': signature }, body });
          status = response.status;
          await response.arrayBuffer();
        } catch {
          status = 0;
        }
        deliveries.push({ eventId, type, status });
        if (status >= 200 && status < 300) break;
      }
      return status;
    },
    async close() {
      held = undefined;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
  return fake;
}
