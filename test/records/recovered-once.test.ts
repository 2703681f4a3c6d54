/**
 * Item 13 of issue #13, end to end in-process: a message is journalled and recorded, the
 * process dies (kill -9: nothing drained) before it is answered, the next run takes it back
 * from the journal, which hands it to the recorder a second time. The dashboard must count one
 * customer message. Real journal on disk, real recorder, the embedded database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openJournal } from '../../src/durable/journal.js';
import type { InboundJournal } from '../../src/core/journal.js';
import { createLogger } from '../../src/infra/logger.js';
import { createRecorder } from '../../src/records/recorder.js';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import type { Store } from '../../src/store/types.js';
import { createRecordingChannel, createScriptedResponder, createTestEngine, customerMessage } from '../support/engine-harness.js';

const logger = createLogger({ level: 'silent' });

describe('a message recovered after a crash is counted once on the dashboard', () => {
  let dir: string;
  let store: Store;
  const journals: InboundJournal[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'akwaba-recovered-'));
    store = await createEmbeddedStore({ dataDir: 'memory://' });
  });
  afterEach(async () => {
    await Promise.all(journals.splice(0).map((journal) => journal.close()));
    await store.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  });

  async function run() {
    const journal = await openJournal(dir);
    journals.push(journal);
    const recorder = createRecorder({ store, logger, flushDelayMs: 10 });
    const responder = createScriptedResponder();
    const channel = createRecordingChannel('telegram');
    const { engine } = createTestEngine(responder, { journal, observer: recorder.observer });
    return { journal, recorder, responder, channel, engine };
  }

  const messagesToday = async () => {
    const stats = await store.conversationStats({ from: Date.now() - 3_600_000, to: Date.now() + 3_600_000, recoveryWindowMs: 1_800_000 });
    return stats.rows.reduce((sum, row) => sum + row.messages, 0);
  };

  it('recorded before the kill, recorded again by the recovery: one message', async () => {
    const first = await run();
    const message = customerMessage('4242', 'Vous livrez à Marcory ?', 'text', 'telegram');
    await first.engine.receive(message, first.channel);
    await first.recorder.flush();
    expect(await messagesToday()).toBe(1);
    await first.journal.close(); // kill -9: the turn in flight is lost, nothing answered

    const second = await run();
    expect(second.engine.recover(() => second.channel).resumed).toBe(1);
    await vi.waitFor(() => expect(second.responder.calls).toHaveLength(1));
    second.responder.answer(0, 'Oui, 1 500 FCFA.');
    await vi.waitFor(() => expect(second.channel.texts('4242')).toEqual(['Oui, 1 500 FCFA.']));
    await second.recorder.flush();

    expect(await messagesToday()).toBe(1);
    const [conversation] = await store.listRecentConversations({ since: Date.now() - 3_600_000 });
    expect(conversation?.events.map((event) => [event.direction, event.kind])).toEqual([
      ['in', 'text'],
      ['out', 'answer'],
    ]);
    await second.engine.drain();
  });
});
