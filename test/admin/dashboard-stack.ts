/**
 * The owner's side of the app, in-process, wired as the proposed `app.ts` patch wires it:
 * the real Telegram channel (grammY) against the fake Bot API, the core, the embedded store,
 * the recorder and the handoff as observers, and the dashboard on a real HTTP port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createTelegramChannel } from '../../channels/telegram/index.js';
import { createOwnerAuth } from '../../src/admin/auth.js';
import { addDashboard } from '../../src/admin/dashboard.js';
import { createEngine, type Engine } from '../../src/core/engine.js';
import { createHandoff, type Handoff } from '../../src/handoff/index.js';
import { createMemoryHistoryStore } from '../../src/durable/history.js';
import { createLogger } from '../../src/infra/logger.js';
import { createMetrics } from '../../src/infra/metrics.js';
import { composeObservers } from '../../src/records/observers.js';
import { createRecorder, type Recorder } from '../../src/records/recorder.js';
import type { Responder } from '../../src/core/responder.js';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import type { Store } from '../../src/store/types.js';
import { frenchTexts } from '../../src/core/texts.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';

export const ADMIN_TOKEN = 'owner-token-for-the-dashboard-tests';
export const OWNER_CHAT_ID = 999_000;
export const BOT_ANSWER = 'Bonjour ! 👗 Nous avons de belles robes. Quelle taille faites-vous ?';

export interface DashboardStack {
  readonly url: string;
  readonly telegram: FakeTelegram;
  readonly store: Store;
  readonly recorder: Recorder;
  readonly handoff: Handoff;
  readonly engine: Engine;
  /** Texts sent to a chat, in order. */
  texts(chatId: number): string[];
  waitForTexts(chatId: number, count: number, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function startDashboardStack(): Promise<DashboardStack> {
  const logger = createLogger({ level: 'silent' });
  const dataDir = mkdtempSync(join(tmpdir(), 'akwaba-dashboard-'));
  const telegram = await startFakeTelegram({ token: '654321:fake-token-for-the-local-bot-api' });
  const store = await createEmbeddedStore({ dataDir: 'memory://' });
  const channel = createTelegramChannel({ token: telegram.token, apiRoot: telegram.url, logger, pollingTimeoutSeconds: 1, restartDelayMs: 100 });
  const channelOf = (name: string) => (name === channel.name ? channel : undefined);
  const notifyOwner = (_key: string, text: string) => channel.sendText(String(OWNER_CHAT_ID), text);

  // --- as in the app.ts patch ---
  const recorder = createRecorder({ store, logger, flushDelayMs: 20, spillFile: join(dataDir, 'records-waiting.json') });
  const say = (name: string, chatId: string, text: string, kind: 'human' | 'handoff') => {
    const target = channelOf(name);
    return target ? engine.say(target, chatId, text, kind) : Promise.resolve(false);
  };
  const handoff = createHandoff({ dataDir, notifyOwner, say, logger });
  const responder: Responder = { description: 'test', reply: async () => ({ text: BOT_ANSWER }) };
  const engine = createEngine({
    responder,
    history: createMemoryHistoryStore(),
    metrics: createMetrics({ defaults: false }),
    logger,
    texts: frenchTexts('Désolé, je réfléchis trop. Un petit instant... 🤔'),
    deadlines: { replyMs: 3000, lateAnswerMs: 3000 },
    observer: composeObservers([recorder.observer, handoff.observer], logger),
    isHandedOff: handoff.isHandedOff,
  });
  const http = new Hono();
  const auth = createOwnerAuth({ adminToken: ADMIN_TOKEN });
  auth.addLoginRoutes(http);
  addDashboard(http, { auth, store, handoff, shopName: 'Mode Ivoire', logger });
  await recorder.start();
  await channel.start(engine.receive);
  // ---

  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: http.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const texts = (chatId: number) => telegram.texts(chatId);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    telegram,
    store,
    recorder,
    handoff,
    engine,
    texts,
    waitForTexts: (chatId, count, timeoutMs) => telegram.waitForTexts(chatId, count, timeoutMs),
    async close() {
      await channel.stop();
      await engine.drain();
      await recorder.stop();
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closing;
      await store.close();
      await telegram.close();
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    },
  };
}
