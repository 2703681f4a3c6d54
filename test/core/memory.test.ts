import { describe, expect, it } from 'vitest';
import { ConversationMemory } from '../../src/core/memory.js';
import type { HistoryStore } from '../../src/core/history.js';
import { createLogger } from '../../src/infra/logger.js';
import type { ChatEntry } from '../../src/core/responder.js';

const entry = (content: string): ChatEntry => ({ role: 'user', content, at: 0 });

/** A store whose loads and saves wait for the test, and that records every save. */
function slowStore(initial: ChatEntry[]) {
  const saves: string[][] = [];
  let releaseLoad: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => (releaseLoad = resolve));
  const store: HistoryStore = {
    load: async () => {
      await loaded;
      return initial;
    },
    save: async (_key, entries) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      saves.push(entries.map((e) => e.content));
    },
  };
  return { store, saves, releaseLoad };
}

describe('conversation memory', () => {
  it('keeps both of two appends made while the history is still loading', async () => {
    const { store, releaseLoad } = slowStore([entry('old')]);
    const memory = new ConversationMemory('k', 'k', { history: store, historyLimit: 10, logger: createLogger({ level: 'silent' }) });
    const first = memory.append([entry('a')]);
    const second = memory.append([entry('b')]);
    releaseLoad();
    await Promise.all([first, second]);
    expect((await memory.append([])).map((e) => e.content)).toEqual(['old', 'a', 'b']);
  });

  it('does not make the caller wait for the disk, and coalesces saves made meanwhile', async () => {
    const { store, saves, releaseLoad } = slowStore([]);
    releaseLoad();
    const memory = new ConversationMemory('k', 'k', { history: store, historyLimit: 10, logger: createLogger({ level: 'silent' }) });
    await memory.append([entry('a')]);
    expect(saves).toEqual([]); // returned before the save finished
    await memory.append([entry('b')]);
    await memory.append([entry('c')]);
    await memory.flushed();
    expect(saves.at(-1)).toEqual(['a', 'b', 'c']);
    expect(saves.length).toBeLessThanOrEqual(2);
  });

  it('goes on from memory when the store fails', async () => {
    const failing: HistoryStore = {
      load: async () => {
        throw new Error('disk gone');
      },
      save: async () => {
        throw new Error('disk gone');
      },
    };
    const memory = new ConversationMemory('k', 'k', { history: failing, historyLimit: 2, logger: createLogger({ level: 'silent' }) });
    await memory.append([entry('a'), entry('b')]);
    expect((await memory.append([entry('c')])).map((e) => e.content)).toEqual(['b', 'c']);
    await memory.flushed();
  });
});
