import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createWhatsAppCloudChannel, type WhatsAppCloudChannel, type WhatsAppCloudChannelOptions } from '../../channels/whatsapp-cloud/index.js';
import { createLogger } from '../../src/infra/logger.js';
import { startFakeGraph, type FakeGraph } from './fake-graph.js';
import { createFakeMeta, type FakeMeta } from './fake-meta.js';

export const APP_SECRET = '4f1d2c3b4a5968778695a4b3c2d1e0f9';
export const VERIFY_TOKEN = 'verify-token-3f9a1c7e';
export const WEBHOOK_PATH = '/whatsapp/webhook';

/** A Hono app on a real HTTP server on 127.0.0.1. */
export async function serveHttp(app: Hono): Promise<{ origin: string; close(): Promise<void> }> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The Cloud API channel with its webhook on a real HTTP server, Meta's fake on each side. */
export interface CloudChannelHarness {
  readonly graph: FakeGraph;
  readonly meta: FakeMeta;
  readonly channel: WhatsAppCloudChannel;
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Starts the fake Graph API, the channel against it, and its routes on 127.0.0.1 (not started:
 * call `channel.start`). Retries are quick (a few ms) unless `overrides.retry` says otherwise.
 */
export async function startCloudChannel(overrides: Partial<WhatsAppCloudChannelOptions> = {}): Promise<CloudChannelHarness> {
  const graph = await startFakeGraph();
  const channel = createWhatsAppCloudChannel({
    accessToken: graph.accessToken,
    phoneNumberId: graph.phoneNumberId,
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    apiRoot: graph.url,
    apiVersion: graph.version,
    logger: createLogger({ level: 'silent' }),
    retry: { retryDelayMs: 5, pairRetryDelayMs: 10, maxRetryDelayMs: 50 },
    restartDelayMs: 50,
    ...overrides,
  });
  const http = new Hono();
  channel.routes(http);
  const server = await serveHttp(http);
  const meta = createFakeMeta({ graph, callbackUrl: `${server.origin}${WEBHOOK_PATH}`, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN });
  return {
    graph,
    meta,
    channel,
    origin: server.origin,
    async close() {
      await channel.stop();
      await server.close();
      await graph.close();
    },
  };
}

/** A logger whose JSON lines the test can read. */
export function capturedLogger(level = 'debug'): { logger: ReturnType<typeof createLogger>; records(): Record<string, unknown>[]; text(): string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return {
    logger: createLogger({ level, destination }),
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join(''),
  };
}
