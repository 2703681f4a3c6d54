import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileCheckoutStore } from '../../../src/shop/checkout/store.js';
import { newCheckoutState } from '../../../src/shop/checkout/state.js';

describe('createFileCheckoutStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'akwaba-checkouts-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const state = (chat: string) => newCheckoutState(`telegram:${chat}`, 'telegram', chat, 1_000);
  const removeFiles = () => {
    for (const name of readdirSync(dir)) rmSync(join(dir, name));
  };

  it('writes each state to disk, where a new process reads it back', async () => {
    await createFileCheckoutStore(dir).save({ ...state('1'), step: 'size' });
    expect(await createFileCheckoutStore(dir).load('telegram:1')).toMatchObject({ step: 'size', chatId: '1' });
  });

  it('answers recent conversations from memory, at most `cached` of them', async () => {
    const checkouts = createFileCheckoutStore(dir, { cached: 2 });
    for (const chat of ['a', 'b', 'c']) await checkouts.save(state(chat));
    removeFiles(); // behind the store's back: only what it remembers is left
    expect(await checkouts.load('telegram:c')).toMatchObject({ chatId: 'c' });
    expect(await checkouts.load('telegram:b')).toMatchObject({ chatId: 'b' });
    expect(await checkouts.load('telegram:a')).toBeUndefined(); // forgotten from memory, gone from disk
  });

  it('hands out copies: changing a loaded state changes nothing until it is saved', async () => {
    const checkouts = createFileCheckoutStore(dir);
    await checkouts.save(state('1'));
    const loaded = await checkouts.load('telegram:1');
    loaded!.step = 'phone';
    expect((await checkouts.load('telegram:1'))?.step).toBe('browsing');
  });
});
