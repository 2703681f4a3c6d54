import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../support/http-util.js';

/** A pass-through to the fake OpenAI that can, on demand, fail with an error message of our choosing. */
export interface LeakyProxy {
  readonly url: string;
  /** Where requests go (the fake OpenAI's root); set once it is known. */
  target: string;
  /** While set, every request is answered 400 with this message (a provider echoing what it got). */
  leak: string | undefined;
  close(): Promise<void>;
}

export async function startLeakyProxy(): Promise<LeakyProxy> {
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (proxy.leak !== undefined) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: proxy.leak, type: 'invalid_request_error', param: null, code: null } }));
        return;
      }
      const response = await fetch(`${proxy.target}${req.url ?? '/'}`, {
        method: req.method,
        headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
        body: body.length > 0 ? body : undefined,
      });
      res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxy: LeakyProxy = {
    url: `http://127.0.0.1:${port}`,
    target: '',
    leak: undefined,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
  return proxy;
}
