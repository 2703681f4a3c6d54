import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTelegramChannel } from '../../../channels/telegram/index.js';
import { openJournal } from '../../../src/durable/journal.js';
import type { InboundJournal } from '../../../src/core/journal.js';
import { createLogger } from '../../../src/infra/logger.js';
import type { ChannelAdapter } from '../../../src/core/channel.js';
import { createScriptedResponder, createTestEngine } from '../../support/engine-harness.js';
import { startFakeTelegram, type FakeTelegram } from '../../support/fake-telegram.js';

/** A promise the test settles. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * Long polling acknowledges an update by asking for the next offset. It must not do so before
 * the update is in the journal: otherwise a crash in between loses the message for good.
 */
describe('telegram long polling: an update is acknowledged only once journalled', () => {
  let telegram: FakeTelegram | undefined;
  let channel: ChannelAdapter | undefined;
  let journal: InboundJournal | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await channel?.stop();
    await journal?.close();
    await telegram?.close();
    if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    telegram = channel = journal = dir = undefined;
  });

  async function startChannel(handler: Parameters<ChannelAdapter['start']>[0]) {
    telegram = await startFakeTelegram();
    channel = createTelegramChannel({
      token: telegram.token,
      apiRoot: telegram.url,
      logger: createLogger({ level: 'silent' }),
      pollingTimeoutSeconds: 1,
      restartDelayMs: 100,
    });
    await channel.start(handler);
    await vi.waitFor(() => expect(channel!.status().state).toBe('ready'));
    return telegram;
  }

  it('with the real engine and journal: the offset waits for a slow journal write, the answer does not block it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'akwaba-offset-'));
    const real = await openJournal(dir);
    journal = real;
    const write = gate();
    let writing = false;
    const slowJournal: InboundJournal = {
      ...real,
      async record(message) {
        writing = true;
        await write.promise;
        return real.record(message);
      },
    };
    const responder = createScriptedResponder(); // never answers: the answer is never awaited
    const { engine } = createTestEngine(responder, { journal: slowJournal, replyDeadlineMs: 60_000 });
    const fake = await startChannel(engine.receive);

    const update = fake.pushMessage(1001, 'Bonjour');
    await vi.waitFor(() => expect(writing).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.confirmedOffset).toBeLessThanOrEqual(update.update_id);
    expect(fake.pendingUpdates()).toBe(1);
    expect(responder.calls).toHaveLength(0); // not handled before it is durable either

    write.open();
    await vi.waitFor(() => expect(fake.confirmedOffset).toBe(update.update_id + 1));
    expect(real.unanswered().map((entry) => entry.message.text)).toEqual(['Bonjour']);
    await vi.waitFor(() => expect(responder.calls).toHaveLength(1));
  });
});

describe('receipt time', () => {
  it('every update of one getUpdates batch counts from when the batch arrived, not from when its turn came', async () => {
    const fake = await startFakeTelegram();
    for (let i = 0; i < 5; i++) fake.pushMessage(7000 + i, `message ${i}`);
    const channel = createTelegramChannel({ token: fake.token, apiRoot: fake.url, logger: createLogger({ level: 'silent' }), pollingTimeoutSeconds: 1 });
    const stamps: number[] = [];
    const before = Date.now();
    await channel.start(async (message) => {
      stamps.push(message.receivedAt);
      await new Promise((resolve) => setTimeout(resolve, 20)); // a slow journal write
    });
    await vi.waitFor(() => expect(stamps).toHaveLength(5), { timeout: 5000 });
    await channel.stop();
    await fake.close();
    expect(new Set(stamps).size).toBe(1);
    expect(stamps[0]!).toBeGreaterThanOrEqual(before);
  });
});
