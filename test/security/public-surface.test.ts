/**
 * What the bot shows on its public port and writes to its logs (issue #13, items 4, 8, 9):
 * the whole app against the fakes, served over real HTTP, with the model behind a proxy
 * whose URL carries a user name and password and which can echo the request in its errors.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientFrom, externalAddress } from '../support/from-address.js';
import { startLeakyProxy, type LeakyProxy } from './leaky-proxy.js';
import { startSecureStack, type SecureStack } from './support.js';

const PROXY_PASSWORD = 'pr0xy-pa55word-9f3c';
const METRICS_TOKEN = 'metrics-token-4b8e1d7a9c2f6e30';
const CUSTOMER = 8181;
const CUSTOMER_WORDS = 'Je m’appelle Aya Konan, j’habite Cocody Riviera 3';

function captureLogs(): { destination: Writable; text(): string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { destination, text: () => chunks.join('') };
}

async function listen(stack: SecureStack): Promise<ServerType> {
  return new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: stack.app.http.fetch, port: 0, hostname: '0.0.0.0' }, () => resolve(started));
  });
}

describe('a model URL with a user name and password', () => {
  const logs = captureLogs();
  let stack: SecureStack;
  let server: ServerType;

  beforeAll(async () => {
    stack = await startSecureStack({ destination: logs.destination, env: { OPENAI_BASE_URL: `http://akwaba:${PROXY_PASSWORD}@127.0.0.1:9/v1` } });
    server = await listen(stack);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stack.close();
  });

  it('is shown without them in /healthz and in the logs', { timeout: 30_000 }, async () => {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`);
    const body = await response.text();
    expect(body).toContain('openai gpt-4o-mini');
    expect(body).not.toContain(PROXY_PASSWORD);
    expect(body).not.toContain('akwaba:');

    stack.telegram.pushMessage(CUSTOMER, 'Bonjour');
    await stack.waitForTexts(CUSTOMER, 1);
    // The model call cannot go (Node's fetch refuses a URL with credentials, quoting it): logged, without them.
    await vi.waitFor(() => expect(logs.text()).toContain('no answer for this turn'), { timeout: 12_000, interval: 50 });
    const logged = logs.text();
    expect(logged).not.toContain(PROXY_PASSWORD);
  });
});

describe('the public port and the logs hold no secret and no customer’s words', () => {
  const logs = captureLogs();
  let proxy: LeakyProxy;
  let stack: SecureStack;
  let server: ServerType;
  let url: string;

  beforeAll(async () => {
    proxy = await startLeakyProxy();
    stack = await startSecureStack({ destination: logs.destination, env: { OPENAI_BASE_URL: `${proxy.url}/v1`, METRICS_TOKEN } });
    proxy.target = stack.openai.url;
    server = await listen(stack);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stack.close();
    await proxy.close();
  });

  it('a provider error echoing the customer’s text leaves the text out of the log, status and code in', async () => {
    proxy.leak = `Invalid value for 'messages[1].content': '${CUSTOMER_WORDS}' is not allowed here`;
    try {
      stack.telegram.pushMessage(CUSTOMER, CUSTOMER_WORDS);
      await vi.waitFor(() => expect(logs.text()).toContain('no answer for this turn'), { timeout: 5000 });
      await stack.waitForTexts(CUSTOMER, 1);
    } finally {
      proxy.leak = undefined;
    }
    const logged = logs.text();
    const line = logged.split('\n').find((entry) => entry.includes('no answer for this turn'))!;
    expect(JSON.parse(line)).toMatchObject({ err: { cause: { status: 400, providerType: 'invalid_request_error' } } });
    expect(line).toContain('[provider message withheld]');
    for (const words of ['Aya Konan', 'Cocody Riviera', CUSTOMER_WORDS]) expect(logged).not.toContain(words);
  });

  it('/metrics answers this machine, not a request a local reverse proxy forwards', async () => {
    const local = await fetch(`${url}/metrics`);
    expect(local.status).toBe(200);
    expect(await local.text()).toContain('akwaba_messages_received_total');

    const forwarded = await fetch(`${url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(forwarded.status).toBe(403);
    expect(await forwarded.text()).not.toContain('akwaba_');
  });

  it('/metrics answers another machine with METRICS_TOKEN as a bearer token only', async () => {
    const forwarded = { 'x-forwarded-for': '203.0.113.9' };
    expect((await fetch(`${url}/metrics`, { headers: { ...forwarded, authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    const wrong = await fetch(`${url}/metrics`, { headers: { ...forwarded, authorization: 'Bearer not-the-metrics-token' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer');
  });

  it.skipIf(externalAddress() === undefined)('/metrics refuses a peer that is not loopback (this machine’s own network address)', async () => {
    const address = externalAddress()!;
    const port = (server.address() as AddressInfo).port;
    const outside = clientFrom(address);
    const refused = await outside.send('GET', `http://${address}:${port}/metrics`);
    expect(refused.status).toBe(403);
    const withToken = await outside.send('GET', `http://${address}:${port}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(withToken.status).toBe(200);
  });
});
