import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../infra/logger.js';
import { schemaMark, schemaMarkOf } from './embedded.js';
import { loadMigrations } from './sql.js';

/**
 * Brings the embedded database of `dataDir` up to date (unpacked, migrated, seeded) in a
 * short-lived child process when it is not, so that what the migrations cost in memory —
 * WebAssembly memory and the heap never shrink — leaves with that process: a first start, or
 * the start after an upgrade, then weighs what a restart does. Nothing to do when every
 * migration is known to be applied. If the child cannot do it, the store does it in-process.
 */
export async function prepareEmbeddedDatabase(dataDir: string, logger: Logger): Promise<void> {
  const expected = schemaMark(await loadMigrations());
  const mark = await readFile(schemaMarkOf(dataDir), 'utf8').catch(() => '');
  if (mark === expected) return;
  const script = fileURLToPath(new URL('./prepare-process.js', import.meta.url));
  if (!existsSync(script)) return; // run from the TypeScript sources (tests): migrated in-process
  const started = Date.now();
  const stderr: string[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [script, dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    child.once('error', () => resolve(null));
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code === 0) logger.info({ ms: Date.now() - started }, 'embedded database prepared (unpacked and migrated) in a child process');
  else logger.warn({ code, stderr: stderr.join('').slice(-500) }, 'embedded database not prepared in a child process; migrating in this one');
}
