import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturedLogger } from '../support/cloud-channel.js';

// The child process runs the built files: import the built module, as `main.js` does.
const built = join(import.meta.dirname, '..', '..', 'dist', 'src', 'store');
const { prepareEmbeddedDatabase } = (await import(join(built, 'prepare.js'))) as typeof import('../../src/store/prepare.js');
const { createEmbeddedStore, schemaMarkOf } = (await import(join(built, 'embedded.js'))) as typeof import('../../src/store/embedded.js');

describe('prepareEmbeddedDatabase', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'akwaba-prepare-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('unpacks, migrates and seeds a new data dir in a child process, once', async () => {
    const { logger, records } = capturedLogger();
    await prepareEmbeddedDatabase(dataDir, logger);
    expect(records().map((r) => r.msg)).toContain('embedded database prepared (unpacked and migrated) in a child process');
    expect(existsSync(join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
    const mark = readFileSync(schemaMarkOf(dataDir), 'utf8');

    await prepareEmbeddedDatabase(dataDir, logger); // every migration known applied: no child
    expect(records().filter((r) => String(r.msg).startsWith('embedded database prepared'))).toHaveLength(1);

    const store = await createEmbeddedStore({ dataDir });
    try {
      expect((await store.listProducts()).length).toBeGreaterThan(0); // the demo shop is there
    } finally {
      await store.close();
    }
    expect(readFileSync(schemaMarkOf(dataDir), 'utf8')).toBe(mark);
  });

  it('says so and leaves the work to the store when the child cannot do it', async () => {
    writeFileSync(join(dataDir, 'pglite'), 'not a directory');
    const { logger, records } = capturedLogger();
    await prepareEmbeddedDatabase(dataDir, logger);
    const warning = records().find((r) => r.msg === 'embedded database not prepared in a child process; migrating in this one');
    expect(warning).toMatchObject({ code: 1 });
    expect(String(warning?.stderr)).toMatch(/EEXIST|ENOTDIR|StoreError/);
  });
});
