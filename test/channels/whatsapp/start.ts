import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWhatsAppChannel, type WhatsAppChannel, type WhatsAppChannelOptions } from '../../../channels/whatsapp/index.js';
import { createLogger } from '../../../src/infra/logger.js';
import type { IncomingMessage } from '../../../src/core/message.js';
import { FakeWhatsApp } from './fake-client.js';

/** An adapter on a fake WhatsApp, with what it handed over. */
export interface StartedWhatsApp {
  readonly whatsapp: FakeWhatsApp;
  readonly adapter: WhatsAppChannel;
  readonly received: IncomingMessage[];
  readonly dataDir: string;
  /** Stops and closes the adapter, removes its data directory. */
  close(): Promise<void>;
}

/** Builds and starts the WhatsApp adapter on a {@link FakeWhatsApp}; `prepare` runs before `start()`. */
export async function startWhatsApp(
  options: Partial<WhatsAppChannelOptions> = {},
  prepare: (whatsapp: FakeWhatsApp, dataDir: string) => void | Promise<void> = () => undefined,
): Promise<StartedWhatsApp> {
  const whatsapp = new FakeWhatsApp();
  const dataDir = await mkdtemp(join(tmpdir(), 'akwaba-whatsapp-'));
  await prepare(whatsapp, dataDir);
  const adapter = createWhatsAppChannel({
    dataDir,
    logger: createLogger({ level: 'silent' }),
    clientFactory: whatsapp.factory,
    ...options,
  });
  const received: IncomingMessage[] = [];
  await adapter.start((message) => void received.push(message));
  return {
    whatsapp,
    adapter,
    received,
    dataDir,
    async close() {
      await adapter.stop();
      await adapter.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
