import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { pseudonym, type Logger } from '../../src/infra/logger.js';
import type { IncomingMessage } from '../../src/core/message.js';
import type { WebAssets } from './assets.js';
import { isRejection, parseWebMessage, VISITOR_ID_PATTERN } from './parse.js';
import { createEventStream } from './sse.js';
import { webChatTexts } from './texts.js';
import type { VisitorBook } from './visitors.js';

/** What the routes need from the channel. */
export interface WebRoutesContext {
  readonly book: VisitorBook;
  readonly assets: WebAssets;
  /** Sites that may embed the page and call the API from the browser. */
  readonly allowedOrigins: readonly string[];
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
 * - `GET /chat/history?visitor=…`: the visitor's recent messages, `{ messages, lastEventId }`;
 * - `GET /chat/events?visitor=…&lastEventId=…`: Server-Sent Events (`message`, `photo`, `typing`),
 *   resumed from `Last-Event-ID`;
 * - `POST /chat/messages` `{ visitorId, clientMessageId, text }`: 202, or 400/413/415/429/503
 *   with `{ error, message }` where `message` is French for the page to show.
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

  app.get('/chat/history', (c) => {
    const visitorId = c.req.query('visitor');
    if (!isVisitorId(visitorId)) return invalidVisitor(c);
    const messages = book.eventsAfter(visitorId);
    return c.json({ messages, lastEventId: book.lastEventId(visitorId) ?? null }, 200, NO_STORE);
  });

  app.get('/chat/events', (c) => {
    const visitorId = c.req.query('visitor');
    if (!isVisitorId(visitorId)) return invalidVisitor(c);
    const stream = createEventStream({ heartbeatMs: context.heartbeatMs, retryMs: RECONNECT_MS });
    const unsubscribe = book.subscribe(visitorId, stream);
    if (!unsubscribe) {
      stream.close();
      logger.warn('web chat: too many open pages, one more refused');
      return c.json({ error: 'busy', message: webChatTexts.busy }, 503, { 'retry-after': '10' });
    }
    stream.onClose(unsubscribe);
    const lastEventId = c.req.header('last-event-id') ?? c.req.query('lastEventId');
    for (const event of book.eventsAfter(visitorId, lastEventId)) stream.event(event);
    const typingLeftMs = book.typingLeftMs(visitorId);
    if (typingLeftMs > 0) stream.typing(typingLeftMs);
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
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      return c.json({ error: 'not_json', message: webChatTexts.notJson }, 415);
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'invalid_message', message: webChatTexts.invalidMessage }, 400);
    }
    const message = parseWebMessage(body, { maxMessageChars: context.maxMessageChars, receivedAt: context.now() });
    if (isRejection(message)) return c.json({ error: message.error, message: message.message }, message.status);

    if (!context.accepting()) {
      return c.json({ error: 'unavailable', message: webChatTexts.unavailable }, 503, { 'retry-after': '5' });
    }
    const { chatId: visitorId, messageId } = message;
    if (book.knows(visitorId, messageId)) return c.json({ status: 'duplicate' }, 202);
    const waitMs = book.takeMessageSlot(visitorId);
    if (waitMs > 0) {
      logger.info({ visitor: pseudonym(visitorId) }, 'web chat: visitor over the message rate, asked to wait');
      const retryAfter = String(Math.ceil(waitMs / 1000));
      return c.json({ error: 'too_many', message: webChatTexts.tooMany, retryAfterSeconds: Number(retryAfter) }, 429, {
        'retry-after': retryAfter,
      });
    }
    book.remember(visitorId, messageId);
    const shown = book.append(visitorId, {
      type: 'message',
      from: 'customer',
      text: message.text || '📎',
      clientMessageId: messageId,
    });
    // The page hears 202 once the core holds the message, so a lost answer means "send it again".
    await context.receive(message);
    return c.json({ status: 'accepted', id: shown.id }, 202);
  });

  return app;
}

function isVisitorId(value: string | undefined): value is string {
  return value !== undefined && VISITOR_ID_PATTERN.test(value);
}

function invalidVisitor(c: Context): Response {
  return c.json({ error: 'invalid_visitor', message: webChatTexts.invalidVisitor }, 400);
}
