import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../infra/logger.js';
import type { ContextLine, HandoffReason } from './texts.js';

/** A conversation a person of the shop holds: the bot stays quiet in it. */
export interface HandedOffChat {
  readonly channel: string;
  readonly chatId: string;
  readonly customerName: string | null;
  readonly reason: HandoffReason;
  /** When it was handed over (epoch ms). */
  readonly since: number;
  /** Last time the owner acted on it (handover, reply); the expiry counts from here. */
  readonly ownerActiveAt: number;
  /** Customer messages since the owner's last reply. */
  readonly unread: number;
  /** The last lines of the conversation, oldest first. */
  readonly recent: readonly ContextLine[];
}

/** Where handed-off conversations are kept so a restart keeps the bot quiet in them. */
export interface HandoffStateFile {
  load(): HandedOffChat[];
  save(chats: readonly HandedOffChat[]): Promise<void>;
  /** Where the list is shared (several instances): `apply` gets it whole whenever another writer changed it. */
  watch?(apply: (chats: readonly HandedOffChat[]) => void): void;
}

/**
 * `${dataDir}/handoffs.json`, written whole through a temporary file and a rename (a crash
 * leaves the old or the new list, never half of one). Without `dataDir`, nothing persists.
 */
export function handoffStateFile(dataDir: string | undefined, logger: Logger): HandoffStateFile {
  if (!dataDir) return { load: () => [], save: async () => undefined };
  const file = join(dataDir, 'handoffs.json');
  let writing: Promise<void> = Promise.resolve();
  return {
    load() {
      try {
        const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
        return Array.isArray(parsed) ? (parsed as HandedOffChat[]).filter(isChat) : [];
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.error({ err: error }, 'handoffs.json unreadable; starting with no handed-off conversation');
        return [];
      }
    },
    save(chats) {
      const content = JSON.stringify(chats);
      // Writes are chained so an older list can never land after a newer one.
      writing = writing.then(async () => {
        try {
          mkdirSync(dataDir, { recursive: true });
          const temporary = `${file}.${process.pid}.tmp`;
          await writeFile(temporary, content);
          await rename(temporary, file);
        } catch (error) {
          logger.error({ err: error }, 'handoffs.json could not be written');
        }
      });
      return writing;
    },
  };
}

function isChat(value: unknown): value is HandedOffChat {
  if (typeof value !== 'object' || value === null) return false;
  const chat = value as Record<string, unknown>;
  return typeof chat['channel'] === 'string' && typeof chat['chatId'] === 'string' && typeof chat['since'] === 'number';
}
