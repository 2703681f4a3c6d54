import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFileHistoryStore } from '../../src/durable/history.js';
import type { ChatEntry } from '../../src/core/responder.js';

const said = (content: string, at: number): ChatEntry => ({ role: 'user', content, at });
const files = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.json'));

describe('createFileHistoryStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'akwaba-history-'));
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a conversation once per delay however many turns it had, and a new process reads it back', async () => {
    vi.useFakeTimers();
    const history = createFileHistoryStore(dir, { flushDelayMs: 1000 });
    for (let turn = 1; turn <= 5; turn += 1) {
      await history.save('telegram:42', Array.from({ length: turn }, (_, i) => said(`message ${i + 1}`, i)));
    }
    expect(await history.load('telegram:42')).toHaveLength(5); // from memory, nothing written yet
    expect(files(dir)).toEqual([]);

    await vi.advanceTimersByTimeAsync(1000);
    await history.flush?.();
    expect(files(dir)).toHaveLength(1);
    const later = createFileHistoryStore(dir);
    expect((await later.load('telegram:42')).map((entry) => entry.content)).toEqual(['message 1', 'message 2', 'message 3', 'message 4', 'message 5']);
  });

  it('keeps the newest entries only', async () => {
    const history = createFileHistoryStore(dir, { keep: 2, flushDelayMs: 0 });
    await history.save('web:a', [said('one', 1), said('two', 2), said('three', 3)]);
    expect((await createFileHistoryStore(dir).load('web:a')).map((entry) => entry.content)).toEqual(['two', 'three']);
  });

  it('never holds more than `cached` conversations waiting: the next save writes them', async () => {
    const history = createFileHistoryStore(dir, { cached: 3, flushDelayMs: 60 * 60 * 1000 });
    for (let chat = 0; chat < 10; chat += 1) await history.save(`telegram:${chat}`, [said(`hello ${chat}`, chat)]);
    await history.flush?.();
    expect(files(dir)).toHaveLength(10);
    // Forgotten from memory, still on disk.
    expect((await history.load('telegram:0')).map((entry) => entry.content)).toEqual(['hello 0']);
  });

  it('reports a write that fails and keeps the entries to try again', async () => {
    const notADirectory = join(dir, 'file');
    writeFileSync(notADirectory, '');
    const history = createFileHistoryStore(join(notADirectory, 'conversations'), { flushDelayMs: 60_000 });
    await history.save('telegram:7', [said('bonjour', 1)]);
    await expect(history.flush?.()).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(await history.load('telegram:7')).toEqual([said('bonjour', 1)]);
    await expect(history.flush?.()).rejects.toThrow(/ENOTDIR|EEXIST/); // still waiting, tried again
  });
});
