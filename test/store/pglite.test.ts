import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baseDataDirFile, openPGlite, readTar } from '../../src/store/pglite.js';

/** One ustar header + padded contents, as PGlite's `dumpDataDir` writes them. */
function tarEntry(name: string, contents: string, type: '0' | '5' = '0'): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write(`${Buffer.byteLength(contents).toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  header.write(type, 156, 'ascii');
  header.write('ustar', 257, 'ascii');
  const body = Buffer.alloc(Math.ceil(Buffer.byteLength(contents) / 512) * 512);
  body.write(contents, 0, 'utf8');
  return Buffer.concat([header, body]);
}

describe('the packed base data directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'akwaba-pglite-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('was made by the PostgreSQL that this PGlite runs (after an upgrade: npm run pglite:base)', async () => {
    const files = [...readTar(gunzipSync(readFileSync(baseDataDirFile())))];
    const packed = files.find((file) => file.path === 'PG_VERSION');
    const db = await openPGlite({ path: 'memory://' });
    try {
      const { rows } = await db.query<{ major: string }>("SELECT current_setting('server_version_num')::int / 10000 AS major");
      expect(new TextDecoder().decode(packed?.data).trim()).toBe(String(rows[0]?.major));
    } finally {
      await db.close();
    }
  });

  it('fills an empty directory on a first start, without initdb, and opens it again as it is', async () => {
    const path = join(dir, 'pglite');
    const first = await openPGlite({ path });
    await first.exec('CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)');
    await first.close();
    expect(existsSync(join(path, 'PG_VERSION'))).toBe(true);

    const again = await openPGlite({ path });
    try {
      expect((await again.query<{ n: number }>('SELECT n FROM kept')).rows).toEqual([{ n: 7 }]);
    } finally {
      await again.close();
    }
  });

  it('starts over from the base when a crash left an unpacking half behind', async () => {
    const path = join(dir, 'pglite');
    mkdirSync(`${path}.unpacking/base`, { recursive: true });
    writeFileSync(`${path}.unpacking/base/garbage`, 'half a file');
    const db = await openPGlite({ path });
    try {
      expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(existsSync(`${path}.unpacking`)).toBe(false);
    } finally {
      await db.close();
    }
  });
});

describe('readTar', () => {
  it('reads files and directories, with leading slashes taken off', () => {
    const archive = Buffer.concat([tarEntry('/base', '', '5'), tarEntry('/base/1', 'x'.repeat(700)), tarEntry('/PG_VERSION', '17\n'), Buffer.alloc(1024)]);
    const entries = [...readTar(archive)].map((entry) => ({ path: entry.path, directory: entry.directory, size: entry.data.length }));
    expect(entries).toEqual([
      { path: 'base', directory: true, size: 0 },
      { path: join('base', '1'), directory: false, size: 700 },
      { path: 'PG_VERSION', directory: false, size: 3 },
    ]);
  });

  it('refuses a path that leaves the archive', () => {
    const archive = Buffer.concat([tarEntry('../../etc/cron.d/evil', 'x'), Buffer.alloc(1024)]);
    expect(() => [...readTar(archive)]).toThrow(/leaves the archive/);
  });
});
