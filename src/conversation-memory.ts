import type { HistoryStore } from './history.js';
import type { Logger } from './logger.js';
import type { ChatEntry } from './responder.js';

/**
 * One conversation's remembered history: loaded once, appended in call order (a quick
 * answer and a turn may write at the same time), saved after every change. A storage
 * failure is logged and the conversation goes on with what is in memory.
 */
export class ConversationMemory {
  private entries: ChatEntry[] | undefined;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly key: string,
    private readonly logId: string,
    private readonly context: { readonly history: HistoryStore; readonly historyLimit: number; readonly logger: Logger },
  ) {}

  /** Adds entries and resolves with the whole remembered history. */
  append(entries: readonly ChatEntry[]): Promise<ChatEntry[]> {
    const appended = this.writes.then(() => this.write(entries));
    this.writes = appended.catch(() => undefined);
    return appended;
  }

  private async write(entries: readonly ChatEntry[]): Promise<ChatEntry[]> {
    const { history, historyLimit, logger } = this.context;
    if (!this.entries) {
      try {
        this.entries = await history.load(this.key);
      } catch (error) {
        logger.error({ err: error, conversation: this.logId }, 'conversation history unreadable; starting afresh');
        this.entries = [];
      }
    }
    this.entries = [...this.entries, ...entries].slice(-historyLimit);
    try {
      await history.save(this.key, this.entries);
    } catch (error) {
      logger.error({ err: error, conversation: this.logId }, 'conversation history not saved');
    }
    return this.entries;
  }
}
