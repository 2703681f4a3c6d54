/**
 * Meta's side of the Cloud API webhook, against the bot's real HTTP endpoint: the verification
 * GET made when the callback URL is saved (`hub.mode`, `hub.verify_token`, `hub.challenge`),
 * and notifications POSTed with `X-Hub-Signature-256` (HMAC-SHA256 of the body under the app
 * secret), retried until the bot answers 200, as Meta does
 * (https://developers.facebook.com/docs/graph-api/webhooks/getting-started/).
 */
import type { FakeGraph } from './fake-graph.js';
import { inboundMessage, newWamid, signatureOf, statusNotice } from './graph-payloads.js';

/** One POST to the bot's webhook. */
export interface MetaDelivery {
  /** The bot's HTTP status; 0 when the connection failed. */
  readonly status: number;
  readonly at: number;
}

export interface FakeMeta {
  readonly deliveries: readonly MetaDelivery[];
  /** The verification request; by default with the right token and a numeric challenge. */
  verify(query?: Record<string, string>): Promise<{ status: number; body: string }>;
  /** One POST, signed with the app secret unless `signature` is given (`null`: no header). */
  post(payload: unknown, options?: { signature?: string | null; raw?: string }): Promise<number>;
  /** Delivers like Meta: signed, retried until a 200; with `copies`, the same payload again after that. */
  deliver(payload: unknown, options?: { copies?: number }): Promise<number[]>;
  /** A customer writes a text; resolves with its `wamid` once the bot answered 200. */
  customerWrites(waId: string, text: string, options?: { name?: string; copies?: number; id?: string }): Promise<string>;
  /** A customer sends something else (`{ type: 'image', image: {...} }`…); resolves with its `wamid`. */
  customerSends(waId: string, content: Record<string, unknown> & { type: string }, options?: { copies?: number }): Promise<string>;
  /** Meta reports what became of a message the bot sent. */
  notifyStatus(notice: Parameters<typeof statusNotice>[1]): Promise<number[]>;
}

export function createFakeMeta(options: {
  graph: FakeGraph;
  /** The bot's webhook URL, e.g. `http://127.0.0.1:3000/whatsapp/webhook`. */
  callbackUrl: string;
  appSecret: string;
  verifyToken: string;
  retryMs?: number;
  maxAttempts?: number;
}): FakeMeta {
  const deliveries: MetaDelivery[] = [];
  const { graph } = options;

  async function post(payload: unknown, postOptions: { signature?: string | null; raw?: string } = {}): Promise<number> {
    const body = postOptions.raw ?? JSON.stringify(payload);
    const signature = postOptions.signature === undefined ? signatureOf(body, options.appSecret) : postOptions.signature;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    const status = await fetch(options.callbackUrl, { method: 'POST', headers, body }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status;
      },
      () => 0,
    );
    deliveries.push({ status, at: Date.now() });
    return status;
  }

  async function deliver(payload: unknown, deliverOptions: { copies?: number } = {}): Promise<number[]> {
    const statuses: number[] = [];
    for (let copy = 0; copy < (deliverOptions.copies ?? 1); copy += 1) {
      for (let attempt = 1; ; attempt += 1) {
        const status = await post(payload);
        statuses.push(status);
        if (status === 200) break;
        if (attempt >= (options.maxAttempts ?? 60)) throw new Error(`fake-meta: the bot never answered 200 (${statuses.join(', ')})`);
        await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 50));
      }
    }
    return statuses;
  }

  async function customerSends(waId: string, content: Record<string, unknown> & { type: string }, sendOptions: { copies?: number; id?: string; name?: string } = {}) {
    const id = sendOptions.id ?? newWamid();
    graph.noteInbound(id, waId);
    await deliver(inboundMessage(graph.phoneNumberId, { waId, ...(sendOptions.name && { name: sendOptions.name }) }, content, id), sendOptions);
    return id;
  }

  return {
    deliveries,
    async verify(query = {}) {
      const url = new URL(options.callbackUrl);
      const params = { 'hub.mode': 'subscribe', 'hub.verify_token': options.verifyToken, 'hub.challenge': '1158201444', ...query };
      for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
      const response = await fetch(url);
      return { status: response.status, body: await response.text() };
    },
    post,
    deliver,
    customerWrites: (waId, text, writeOptions = {}) => customerSends(waId, { type: 'text', text: { body: text } }, writeOptions),
    customerSends,
    notifyStatus: (notice) => deliver(statusNotice(graph.phoneNumberId, notice)),
  };
}
