import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createWebChannel, type WebChannel, type WebChannelOptions } from '../../../channels/web/index.js';
import { createLogger } from '../../../src/infra/logger.js';

/** One Server-Sent Event as a page receives it; `comment` for `: …` lines. */
export interface SseMessage {
  readonly event?: string;
  readonly data?: string;
  readonly id?: string;
  readonly comment?: string;
}

/** An open `GET /chat/events`, read with fetch like a page would with `EventSource`. */
export interface SseClient {
  readonly response: Response;
  readonly messages: SseMessage[];
  /** The chat events (`message` and `photo`), parsed. */
  chatEvents(): Array<Record<string, unknown> & { id: string; from: string; type: string }>;
  typingCount(): number;
  /** Whether the server ended the stream. */
  ended(): boolean;
  close(): Promise<void>;
}

/** The web channel on a real HTTP server on 127.0.0.1, as the bot runs it. */
export interface WebChatServer {
  readonly url: string;
  readonly channel: WebChannel;
  /** Posts to `/chat/messages`; fills in `clientMessageId` when missing. */
  post(body: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  /** A new visitor id, issued by the server as a page gets one (`POST /chat/visitors`). */
  newVisitor(headers?: Record<string, string>): Promise<string>;
  openEvents(visitorId: string, options?: { lastEventId?: string; header?: string; origin?: string }): Promise<SseClient>;
  close(): Promise<void>;
}

/** The chat id (what the core and `sendText` know) of a visitor id the server issued. */
export const chatIdOf = (visitorId: string): string => visitorId.slice(0, 22);

/** A visitor id of the right shape that this server never issued (an invented one). */
export const inventedVisitorId = (): string => randomBytes(33).toString('base64url');

/** Starts the web channel's routes on their own Hono app (plus `extra` routes) on `port` (default: any free one). */
export async function startWebChat(
  options: Partial<WebChannelOptions> = {},
  extra?: (app: Hono) => void,
  port = 0,
): Promise<WebChatServer> {
  const channel = createWebChannel({ logger: createLogger({ level: 'silent' }), shopName: 'Mode Ivoire', ...options });
  const app = new Hono();
  channel.routes(app);
  extra?.(app);
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: SseClient[] = [];
  return {
    url,
    channel,
    post: (body, headers = {}) =>
      fetch(`${url}/chat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ clientMessageId: randomBytes(6).toString('hex'), ...body }),
      }),
    async newVisitor(headers = {}) {
      const response = await fetch(`${url}/chat/visitors`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
      });
      if (response.status !== 201) throw new Error(`POST /chat/visitors answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { visitorId: string }).visitorId;
    },
    async openEvents(visitor, eventOptions = {}) {
      const query = eventOptions.lastEventId ? `&lastEventId=${encodeURIComponent(eventOptions.lastEventId)}` : '';
      const headers: Record<string, string> = {};
      if (eventOptions.header) headers['last-event-id'] = eventOptions.header;
      if (eventOptions.origin) headers.origin = eventOptions.origin;
      const client = await readEvents(`${url}/chat/events?visitor=${encodeURIComponent(visitor)}${query}`, headers);
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      await channel.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
    },
  };
}

async function readEvents(url: string, headers: Record<string, string>): Promise<SseClient> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const messages: SseMessage[] = [];
  let ended = false;
  const reading = (async () => {
    if (!response.body || response.status !== 200) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          messages.push(...parseBlock(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
        }
      }
      ended = true;
    } catch {
      // aborted by close()
    }
  })();
  return {
    response,
    messages,
    chatEvents: () =>
      messages
        .filter((message) => message.event === 'message' || message.event === 'photo')
        .map((message) => JSON.parse(message.data ?? '{}') as Record<string, unknown> & { id: string; from: string; type: string }),
    typingCount: () => messages.filter((message) => message.event === 'typing').length,
    ended: () => ended,
    async close() {
      abort.abort();
      await reading;
    },
  };
}

function parseBlock(block: string): SseMessage[] {
  const comments: SseMessage[] = [];
  const fields: Record<string, string> = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) comments.push({ comment: line.slice(1).trim() });
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, '');
    fields[name] = name === 'data' && fields.data !== undefined ? `${fields.data}\n${value}` : value;
  }
  const hasEvent = fields.data !== undefined;
  return hasEvent ? [...comments, { event: fields.event ?? 'message', data: fields.data, id: fields.id }] : comments;
}
