import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/** Meta signs every webhook POST with the app secret: `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = 'X-Hub-Signature-256';

/** What the webhook routes need from the channel. */
export interface CloudWebhookOptions {
  readonly path: string;
  readonly appSecret: string;
  readonly verifyToken: string;
  /** The longest a POST is held while its messages are taken (journalled). */
  readonly timeoutMs: number;
  /** Larger bodies are refused unread (Meta's are a few kilobytes). */
  readonly maxBodyBytes: number;
  /** False before `start()` and after `stop()`: Meta is told to come back later. */
  readonly accepting: () => boolean;
  /** Takes a payload whose signature checked out; resolves once its messages are durably taken. */
  readonly take: (payload: unknown) => Promise<void>;
  readonly onError: (error: unknown) => void;
}

/**
 * Adds Meta's two webhook routes at `path`
 * (https://developers.facebook.com/docs/graph-api/webhooks/getting-started/):
 * - `GET`: the verification Meta makes when the callback URL is saved: with
 *   `hub.mode=subscribe` and the right `hub.verify_token`, `hub.challenge` is echoed; 403 otherwise.
 * - `POST`: a notification. A missing or wrong `X-Hub-Signature-256` (checked over the raw
 *   bytes, in constant time) is a 401 and nothing is read further. The 200 goes out once the
 *   messages are taken (journalled), never after the answer; when that cannot happen in time,
 *   or the channel is not taking messages, a 503 makes Meta deliver it again later, and the
 *   journal recognises the copy if the first one did land.
 */
export function addCloudWebhook(app: Hono, options: CloudWebhookOptions): void {
  const verifyToken = digest(options.verifyToken);
  app.get(options.path, (c) => {
    const mode = c.req.query('hub.mode');
    const token = c.req.query('hub.verify_token');
    const challenge = c.req.query('hub.challenge');
    if (mode !== 'subscribe' || token === undefined || !timingSafeEqual(digest(token), verifyToken)) return c.body(null, 403);
    if (challenge === undefined || !/^[A-Za-z0-9_-]{1,256}$/.test(challenge)) return c.body(null, 400);
    return c.text(challenge, 200);
  });
  app.post(options.path, bodyLimit({ maxSize: options.maxBodyBytes, onError: (c) => c.body(null, 413) }), (c) => receive(c, options));
}

async function receive(c: Context, options: CloudWebhookOptions): Promise<Response> {
  const raw = Buffer.from(await c.req.arrayBuffer());
  if (!signedBy(options.appSecret, raw, c.req.header(SIGNATURE_HEADER))) return c.body(null, 401);
  if (!options.accepting()) return c.body(null, 503);
  let payload: unknown;
  try {
    payload = JSON.parse(raw.toString('utf8'));
  } catch {
    return c.body(null, 400);
  }
  try {
    return (await within(options.take(payload), options.timeoutMs)) ? c.body(null, 200) : c.body(null, 503);
  } catch (error) {
    options.onError(error);
    return c.body(null, 500);
  }
}

/**
 * True when `header` is `sha256=` followed by the HMAC-SHA256 of `body` under `secret`.
 *
 * @example
 * signedBy(appSecret, Buffer.from(rawBody), request.headers.get('x-hub-signature-256'))
 */
export function signedBy(secret: string, body: Buffer, header: string | undefined): boolean {
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '')?.[1];
  if (!hex) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
}

/** Comparing digests keeps the comparison constant-time whatever the lengths. */
const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** True when `task` settled in time (rethrowing its error), false when `ms` passed first. */
async function within(task: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([task.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
