import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { pseudonym, type Logger } from '../../src/infra/logger.js';
import type { IncomingMessage } from '../../src/core/message.js';
import type { AddressLimits } from './address-limits.js';
import type { WebAssets } from './assets.js';
import { isRejection, parseWebMessage } from './parse.js';
import { createEventStream } from './sse.js';
import { webChatTexts } from './texts.js';
import type { VisitorIds } from './visitor-ids.js';
import type { VisitorBook } from './visitors.js';

/** What the routes need from the channel. */
export interface WebRoutesContext {
  readonly book: VisitorBook;
  readonly ids: VisitorIds;
  readonly limits: AddressLimits;
  /** The client's address key (proxy-aware, IPv6 by /64) the limits count under. */
  readonly addressOf: (c: Context) => string;
  readonly assets: WebAssets;
  /** Sites that may embed the page and call the API from the browser. */
  readonly allowedOrigins: readonly string[];
  /** `CUSTOMER_MAX_MESSAGE_CHARS`: bounds the request body (the guard answers longer texts). */
  readonly maxMessageChars: number;
  readonly heartbeatMs: number;
  readonly now: () => number;
  /** Whether the channel takes messages (started, not stopped). */
  readonly accepting: () => boolean;
  /** Hands a message to the core; a returned promise resolves once the core has durably taken it. */
  readonly receive: (message: IncomingMessage) => void | Promise<void>;
  readonly logger: Logger;
}

const RECONNECT_MS = 3000;
const NO_STORE = { 'cache-control': 'no-store' };

/**
 * The web chat's HTTP surface:
 *
 * - `GET /`: the chat page (`?embed=1` inside the widget's frame);
 * - `GET /widget.js`: the script a shop puts on its own site;
 * - `POST /chat/visitors` `{ visitorId? }`: the visitor id to use, the same one when it is
 *   valid, else a new one signed by the server (201), within the address's hourly allowance (429);
 * - `GET /chat/history?visitor=…`: the visitor's recent messages, `{ messages, lastEventId }`;
 * - `GET /chat/events?visitor=…&lastEventId=…`: Server-Sent Events (`message`, `photo`, `typing`),
 *   resumed from `Last-Event-ID`; 429 past the address's share of streams, 503 past the total;
 * - `POST /chat/messages` `{ visitorId, clientMessageId, text, action? }` (`action`: the id of a
 *   button pressed, `text` its label): 202, or 400/413/415/429/503
 *   with `{ error, message }` where `message` is French for the page to show.
 *
 * A visitor id the server did not sign is refused with 400 `invalid_visitor` (the page asks
 * for a new one).
 */
export function createWebRoutes(context: WebRoutesContext): Hono {
  const { book, assets, logger } = context;
  const app = new Hono();
  const framers = ["'self'", ...context.allowedOrigins].join(' ');
  const pageHeaders = {
    'content-security-policy':
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; connect-src 'self'; " +
      `base-uri 'none'; form-action 'none'; frame-ancestors ${framers}`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cache-control': 'no-cache',
  };

  app.get('/', (c) => c.html(assets.page, 200, pageHeaders));

  app.get('/chat/assets/:name', (c) => {
    const asset = assets.files.get(c.req.param('name'));
    if (!asset) return c.notFound();
    const current = c.req.query('v') === asset.version;
    return c.body(asset.body, 200, {
      'content-type': asset.contentType,
      'x-content-type-options': 'nosniff',
      'cache-control': current ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  });

  app.get('/widget.js', (c) =>
    c.body(assets.widget.body, 200, {
      'content-type': assets.widget.contentType,
      'x-content-type-options': 'nosniff',
      'cache-control': 'public, max-age=300',
    }),
  );

  app.use(
    '/chat/*',
    cors({
      origin: (origin) => (context.allowedOrigins.includes(origin) ? origin : null),
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['Content-Type', 'Last-Event-ID'],
      maxAge: 600,
    }),
  );

  app.post('/chat/visitors', bodyLimit({ maxSize: 1024, onError: (c) => c.json({ error: 'invalid_message', message: webChatTexts.invalidMessage }, 413) }), async (c) => {
    if (!isJson(c)) return c.json({ error: 'not_json', message: webChatTexts.notJson }, 415);
    const body: unknown = await c.req.json().catch(() => ({}));
    const given = typeof body === 'object' && body !== null ? (body as { visitorId?: unknown }).visitorId : undefined;
    if (context.ids.verify(given) !== null) return c.json({ visitorId: given }, 200, NO_STORE);
    const address = context.addressOf(c);
    const waitMs = context.limits.newVisitor(address);
    if (waitMs > 0) {
      logger.warn({ address: pseudonym(address) }, 'web chat: new visitors from one address over the hourly allowance');
      return tooMany(c, 'too_many_visitors', webChatTexts.tooManyVisitors, waitMs);
    }
    return c.json({ visitorId: context.ids.issue().visitorId }, 201, NO_STORE);
  });

  app.get('/chat/history', async (c) => {
    const visitorId = context.ids.verify(c.req.query('visitor'));
    if (visitorId === null) return invalidVisitor(c);
    const { events, lastEventId } = await book.history(visitorId);
    return c.json({ messages: events, lastEventId }, 200, NO_STORE);
  });

  app.get('/chat/events', async (c) => {
    const visitorId = context.ids.verify(c.req.query('visitor'));
    if (visitorId === null) return invalidVisitor(c);
    const release = context.limits.openStream(context.addressOf(c));
    if (!release) {
      logger.warn('web chat: one address holds its share of open pages, one more refused');
      return c.json({ error: 'too_many_pages', message: webChatTexts.tooManyPages }, 429, { 'retry-after': '10' });
    }
    const stream = createEventStream({ heartbeatMs: context.heartbeatMs, retryMs: RECONNECT_MS });
    const lastEventId = c.req.header('last-event-id') ?? c.req.query('lastEventId');
    const unsubscribe = await book.subscribe(visitorId, stream, lastEventId);
    if (!unsubscribe) {
      release();
      stream.close();
      logger.warn('web chat: too many open pages, one more refused');
      return c.json({ error: 'busy', message: webChatTexts.busy }, 503, { 'retry-after': '10' });
    }
    stream.onClose(() => {
      unsubscribe();
      release();
    });
    return c.body(stream.body, 200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no', // nginx would otherwise hold the events back
    });
  });

  // Room for JSON escapes around the longest text allowed; anything bigger is refused unread.
  const maxBodyBytes = context.maxMessageChars * 6 + 4096;
  const tooLong = (c: Context) => c.json({ error: 'too_long', message: webChatTexts.tooLong(context.maxMessageChars) }, 413);
  app.post('/chat/messages', bodyLimit({ maxSize: maxBodyBytes, onError: tooLong }), async (c) => {
    // Requiring JSON makes a cross-site form post impossible: browsers ask (CORS) first.
    if (!isJson(c)) {
      return c.json({ error: 'not_json', message: webChatTexts.notJson }, 415);
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'invalid_message', message: webChatTexts.invalidMessage }, 400);
    }
    const message = parseWebMessage(body, { chatIdOf: context.ids.verify, receivedAt: context.now() });
    if (isRejection(message)) return c.json({ error: message.error, message: message.message }, message.status);

    if (!context.accepting()) {
      return c.json({ error: 'unavailable', message: webChatTexts.unavailable }, 503, { 'retry-after': '5' });
    }
    const { chatId: visitorId, messageId } = message;
    if (await book.knows(visitorId, messageId)) return c.json({ status: 'duplicate' }, 202);
    const address = context.addressOf(c);
    const waitMs = context.limits.message(address);
    if (waitMs > 0) {
      logger.info({ address: pseudonym(address) }, 'web chat: one address over its messages per minute, asked to wait');
      return tooMany(c, 'too_many', webChatTexts.tooMany, waitMs);
    }
    const shown = await book.appendCustomerMessage(visitorId, messageId, message.text || '📎');
    if (shown === 'duplicate') return c.json({ status: 'duplicate' }, 202);
    // The page hears 202 once the core holds the message, so a lost answer means "send it again".
    await context.receive(message);
    return c.json({ status: 'accepted', id: shown.id }, 202);
  });

  return app;
}

function isJson(c: Context): boolean {
  return /^application\/json\s*(?:;|$)/i.test(c.req.header('content-type') ?? '');
}

function tooMany(c: Context, error: string, words: (waitSeconds: number) => string, waitMs: number): Response {
  const seconds = Math.ceil(waitMs / 1000);
  return c.json({ error, message: words(seconds), retryAfterSeconds: seconds }, 429, { 'retry-after': String(seconds) });
}

function invalidVisitor(c: Context): Response {
  return c.json({ error: 'invalid_visitor', message: webChatTexts.invalidVisitor }, 400);
}
