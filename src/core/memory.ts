import type { HistoryStore } from './history.js';
import type { Logger } from '../infra/logger.js';
import type { ChatEntry } from './responder.js';

/**
 * One conversation's remembered history: loaded once, kept in memory, and saved in the
 * background. The model call never waits for the disk: saves are coalesced (entries added
 * while a save runs go out together in the next one), in order. A storage failure is logged
 * and the conversation goes on with what is in memory.
 */
export class ConversationMemory {
  private entries: ChatEntry[] | undefined;
  private loading: Promise<ChatEntry[]> | undefined;
  private saving: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly key: string,
    private readonly logId: string,
    private readonly context: { readonly history: HistoryStore; readonly historyLimit: number; readonly logger: Logger },
  ) {}

  /**
   * Adds entries and resolves with the whole remembered history, without waiting for the save.
   * An entry already remembered (same role, time and words: a message taken back after a
   * restart may have reached the history before the crash) is not added twice.
   */
  async append(entries: readonly ChatEntry[]): Promise<ChatEntry[]> {
    if (!this.entries) {
      const loaded = await this.load();
      this.entries ??= loaded; // another append may have resumed first: keep what it added
    }
    const known = this.entries;
    const fresh = entries.filter((entry) => !known.some((k) => k.role === entry.role && k.at === entry.at && k.content === entry.content));
    this.entries = [...known, ...fresh].slice(-this.context.historyLimit);
    this.dirty = true;
    this.saving ??= this.saveWhileDirty();
    return this.entries;
  }

  /** Resolves once everything appended so far is on disk (or failed and was logged). */
  async flushed(): Promise<void> {
    while (this.saving) await this.saving;
  }

  private load(): Promise<ChatEntry[]> {
    this.loading ??= this.context.history.load(this.key).catch((error: unknown) => {
      this.context.logger.error({ err: error, conversation: this.logId }, 'conversation history unreadable; starting afresh');
      return [];
    });
    return this.loading;
  }

  private async saveWhileDirty(): Promise<void> {
    try {
      while (this.dirty && this.entries) {
        this.dirty = false;
        try {
          await this.context.history.save(this.key, this.entries);
        } catch (error) {
          this.context.logger.error({ err: error, conversation: this.logId }, 'conversation history not saved');
        }
      }
    } finally {
      this.saving = undefined;
    }
  }
}
