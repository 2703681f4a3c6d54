import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlocklistError, openBlocklist } from '../../src/abuse/blocklist.js';

describe('openBlocklist (DATA_DIR/blocked.json)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'akwaba-blocklist-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts empty with no file, blocks and unblocks, and a restart remembers', async () => {
    const file = join(dir, 'data', 'blocked.json');
    const blocklist = await openBlocklist(file, { now: () => Date.parse('2026-11-28T10:00:00Z') });
    expect(blocklist.isBlocked('telegram', '42')).toBe(false);
    await blocklist.block('telegram', '42', { note: 'insultes' });
    await blocklist.block('whatsapp', '2250708091011@c.us');
    expect(blocklist.isBlocked('telegram', '42')).toBe(true);
    expect(blocklist.isBlocked('whatsapp', '42')).toBe(false);

    const reopened = await openBlocklist(file);
    expect(reopened.list()).toEqual([
      { channel: 'telegram', chatId: '42', since: '2026-11-28T10:00:00.000Z', note: 'insultes' },
      { channel: 'whatsapp', chatId: '2250708091011@c.us', since: '2026-11-28T10:00:00.000Z' },
    ]);
    expect(await reopened.unblock('telegram', '42')).toBe(true);
    expect(await reopened.unblock('telegram', '42')).toBe(false);
    expect((await openBlocklist(file)).isBlocked('telegram', '42')).toBe(false);
  });

  it('blocking twice keeps the first date; concurrent changes all land on disk', async () => {
    const file = join(dir, 'blocked.json');
    let clock = 0;
    const blocklist = await openBlocklist(file, { now: () => (clock += 1000) });
    await Promise.all(Array.from({ length: 20 }, (_, i) => blocklist.block('telegram', String(i))));
    await blocklist.block('telegram', '0', { note: 'encore' });
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { blocked: { chatId: string; since: string; note?: string }[] };
    expect(saved.blocked).toHaveLength(20);
    expect(saved.blocked[0]).toMatchObject({ chatId: '0', since: new Date(1000).toISOString(), note: 'encore' });
  });

  it('refuses to start on a damaged file rather than let blocked customers back in', async () => {
    const file = join(dir, 'blocked.json');
    writeFileSync(file, '{ "blocked": [ { "channel": "telegram" ');
    await expect(openBlocklist(file)).rejects.toThrow(/not valid JSON: fix it or delete it/);
    writeFileSync(file, JSON.stringify({ blocked: [{ channel: 'telegram' }] }));
    await expect(openBlocklist(file)).rejects.toBeInstanceOf(BlocklistError);
  });

  it('rejects empty ids, and a change it cannot write is undone', async () => {
    const blocklist = await openBlocklist(join(dir, 'blocked.json'));
    await expect(blocklist.block('telegram', '  ')).rejects.toMatchObject({ code: 'invalid_customer' });
    const unwritable = await openBlocklist(join(dir, 'sub', 'blocked.json'));
    writeFileSync(join(dir, 'sub'), 'a file where the folder should be');
    await expect(unwritable.block('telegram', '1')).rejects.toMatchObject({ code: 'blocklist_unwritable' });
    expect(unwritable.isBlocked('telegram', '1')).toBe(false);
  });
});
