import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { Update } from 'grammy/types';

/** The header Telegram sends with every webhook request, holding `setWebhook`'s `secret_token`. */
export const SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';

/** What the webhook route needs from the channel. */
export interface WebhookRouteOptions {
  readonly secret: string;
  /** The longest the request is held while the update is taken (journalled). */
  readonly timeoutMs: number;
  /** False before the bot knows itself and after `stop()`: Telegram is told to come back later. */
  readonly accepting: () => boolean;
  /** Runs the bot's middleware on the update; resolves once the message is durably taken. */
  readonly handleUpdate: (update: Update) => Promise<void>;
  readonly onError: (error: unknown, update: Update) => void;
}

/**
 * The route Telegram POSTs updates to. A wrong or missing secret is a 401 and nothing is
 * read. The 200 goes out only once the update was taken (journalled, never the answer); when
 * that cannot happen in time, or the channel is not taking updates, a 503 makes Telegram
 * deliver it again later, and the journal drops the copy if the first one did land.
 */
export function createWebhookRoute(options: WebhookRouteOptions): (c: Context) => Promise<Response> {
  const expected = digest(options.secret);
  return async (c) => {
    const given = c.req.header(SECRET_HEADER);
    if (given === undefined || !timingSafeEqual(digest(given), expected)) return c.body(null, 401);
    if (!options.accepting()) return c.body(null, 503);
    let update: unknown;
    try {
      update = await c.req.json();
    } catch {
      return c.body(null, 400);
    }
    if (!isUpdate(update)) return c.body(null, 400);
    const taken = options.handleUpdate(update);
    try {
      return (await within(taken, options.timeoutMs)) ? c.body(null, 200) : c.body(null, 503);
    } catch (error) {
      options.onError(error, update);
      return c.body(null, 500);
    }
  };
}

/** Comparing digests keeps the comparison constant-time whatever the lengths. */
const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

function isUpdate(value: unknown): value is Update {
  return typeof value === 'object' && value !== null && typeof (value as { update_id?: unknown }).update_id === 'number';
}

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
