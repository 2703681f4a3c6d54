/**
 * A stand-in for Supabase's data API on 127.0.0.1: it records what supabase-js really sends,
 * refuses requests without the right key the way the gateway would, and answers with the
 * replies a test scripts, in PostgREST's shapes.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as received. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/rest/v1/rpc/place_order`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body, or `undefined` when there was none. */
  readonly body: unknown;
}

/** How to answer; `hang` never answers (to test timeouts). */
export interface FakeReply {
  readonly status: number;
  readonly body?: unknown;
  readonly hang?: boolean;
}

/** A running fake. */
export interface FakePostgrest {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Requests that broke the contract (wrong key, path outside `/rest/v1/`). */
  readonly violations: string[];
  /** Answers `method path` (path under `/rest/v1`, e.g. `/products`) with `reply` from now on. */
  on(method: string, path: string, reply: FakeReply | ((request: RecordedRequest) => FakeReply)): void;
  close(): Promise<void>;
}

/** Starts the fake on a random port; `key` is the only API key it accepts. */
export async function startFakePostgrest(key: string): Promise<FakePostgrest> {
  const routes = new Map<string, FakeReply | ((request: RecordedRequest) => FakeReply)>();
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      const request: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
      requests.push(request);

      const send = (status: number, body?: unknown): void => {
        if (body === undefined) {
          res.writeHead(status).end();
          return;
        }
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
      };

      if (req.headers['apikey'] !== key || req.headers['authorization'] !== `Bearer ${key}`) {
        violations.push(`${request.method} ${request.path}: apikey/authorization headers do not carry the key`);
        send(401, { code: 'PGRST301', message: 'Invalid API key', details: null, hint: null });
        return;
      }
      if (!url.pathname.startsWith('/rest/v1/')) {
        violations.push(`${request.method} ${request.path}: outside /rest/v1/`);
        send(404, { code: 'PGRST125', message: 'Invalid path specified in request URL', details: null, hint: null });
        return;
      }
      const route = routes.get(`${request.method} ${url.pathname.slice('/rest/v1'.length)}`);
      if (route === undefined) {
        send(404, { code: 'PGRST202', message: `No route for ${request.method} ${request.path}`, details: null, hint: null });
        return;
      }
      const reply = typeof route === 'function' ? route(request) : route;
      if (reply.hang) return;
      send(reply.status, reply.body);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    violations,
    on(method, path, reply) {
      routes.set(`${method} ${path}`, reply);
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
