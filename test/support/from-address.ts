import { request, type IncomingHttpHeaders, type ClientRequest } from 'node:http';
import { networkInterfaces } from 'node:os';

/** An HTTP answer, read whole. */
export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  json<T = Record<string, unknown>>(): T;
}

/** An event stream held open (as a page holds `/chat/events`). */
export interface HeldStream {
  readonly status: number;
  close(): void;
}

/** HTTP from one client address: real distinct TCP peers on one machine (127.0.0.0/8 is all loopback). */
export interface Client {
  readonly address: string;
  send(method: string, url: string, options?: { headers?: Record<string, string>; body?: string }): Promise<Answer>;
  postJson(url: string, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  /** Opens a GET and keeps it open once the head arrived; `close()` drops the connection. */
  hold(url: string, headers?: Record<string, string>): Promise<HeldStream>;
}

/**
 * A client whose connections leave from `localAddress` (e.g. `127.0.0.2`), so the server sees
 * another peer: per-address limits are tested with real sockets, not forged headers.
 */
export function clientFrom(localAddress: string): Client {
  const open = (method: string, url: string, headers: Record<string, string>): ClientRequest =>
    request(url, { method, headers: { connection: 'close', ...headers }, localAddress, agent: false });
  return {
    address: localAddress,
    send(method, url, options = {}) {
      return new Promise((resolve, reject) => {
        const req = open(method, url, options.headers ?? {});
        req.once('error', reject);
        req.once('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.once('error', reject);
          res.once('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T });
          });
        });
        req.end(options.body);
      });
    },
    postJson(url, body, headers = {}) {
      return this.send('POST', url, { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    },
    hold(url, headers = {}) {
      return new Promise((resolve, reject) => {
        const req = open('GET', url, headers);
        req.once('error', reject);
        req.once('response', (res) => {
          res.on('data', () => undefined);
          res.on('error', () => undefined);
          resolve({ status: res.statusCode ?? 0, close: () => req.destroy() });
        });
        req.end();
      });
    },
  };
}

/** An IPv4 address of this machine that is not loopback, to reach the bot from "outside"; `undefined` when there is none. */
export function externalAddress(): string | undefined {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return undefined;
}
