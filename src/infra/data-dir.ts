import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** What {@link secureDataDir} changed. */
export interface DataDirRepair {
  /** Folders and files whose mode was tightened. */
  readonly tightened: number;
}

/**
 * Makes `DATA_DIR` private to the user the bot runs as: creates it `0700`, then walks what is
 * already there (conversations, the journal, the embedded database, a WhatsApp session left
 * by an older version) and takes away every group and other permission: folders `0700`,
 * files `0600`. Symbolic links are not followed. New files stay private through the process
 * umask (`process.umask(0o077)`, set in `main.ts`).
 *
 * @example
 * process.umask(0o077);
 * await secureDataDir(config.dataDir);
 */
export async function secureDataDir(dataDir: string): Promise<DataDirRepair> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  let tightened = 0;
  const visit = async (path: string): Promise<void> => {
    const stats = await lstat(path).catch(() => undefined);
    if (!stats || stats.isSymbolicLink()) return;
    if (stats.isDirectory()) {
      if ((stats.mode & 0o777) !== 0o700) {
        await chmod(path, 0o700);
        tightened += 1;
      }
      for (const name of await readdir(path).catch(() => [])) await visit(join(path, name));
    } else if ((stats.mode & 0o077) !== 0) {
      await chmod(path, (stats.mode & 0o700) | 0o600);
      tightened += 1;
    }
  };
  await visit(dataDir);
  return { tightened };
}
