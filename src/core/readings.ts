import type { Channel } from './channel.js';
import { untilAborted, type MessageReader, type ReadResult } from './reader.js';
import { DeadlineError } from './timing.js';
import type { Waiting } from './turn.js';

/** A voice note that could not be heard, and what its customer is told instead. */
export interface Refused {
  readonly waiting: Waiting;
  readonly refusal: string;
}

/**
 * The voice notes of one conversation being read (transcribed). Reading starts as soon as a
 * note arrives, even while an earlier turn still runs, and ends at the note's last moment like
 * a model call (its deadline, on shutdown). The turn that answers it waits for it under its own
 * signal; a newer turn that takes it over waits for the same reading, never a second one.
 */
export class Readings {
  private readonly pending = new Map<Waiting, { readonly heard: Promise<ReadResult>; readonly giveUpAt: (moment: number) => void }>();

  constructor(
    private readonly read: MessageReader,
    private readonly context: { readonly now: () => number; readonly lateAnswerMs: number },
  ) {}

  /** Starts reading a voice note now. */
  start(waiting: Waiting, channel: Channel): void {
    const stop = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const giveUpAt = (moment: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => stop.abort(new DeadlineError(moment)), Math.max(0, moment - this.context.now()));
    };
    giveUpAt(waiting.replyBy + (waiting.openedAt - waiting.receivedAt) + this.context.lateAnswerMs);
    const heard = this.read(waiting.message, channel, stop.signal).finally(() => clearTimeout(timer));
    heard.catch(() => undefined); // the turn waiting for it hears of the failure
    this.pending.set(waiting, { heard, giveUpAt });
  }

  /** Shutdown: every reading ends by its message's deadline. */
  hurry(): void {
    for (const [waiting, reading] of this.pending) reading.giveUpAt(waiting.replyBy);
  }

  /**
   * Waits under `signal` (rejecting with its reason when it aborts) for the voice notes among
   * `messages`: each transcript becomes its message's prompt; the notes that cannot be heard
   * are returned with their refusal.
   */
  async hear(messages: readonly Waiting[], signal: AbortSignal): Promise<Refused[]> {
    const spoken = messages.filter((waiting) => this.pending.has(waiting));
    if (spoken.length === 0) return [];
    const results = await untilAborted(Promise.all(spoken.map((waiting) => this.pending.get(waiting)!.heard)), signal);
    const refused: Refused[] = [];
    for (const [i, waiting] of spoken.entries()) {
      this.pending.delete(waiting);
      const result = results[i]!;
      if ('text' in result) waiting.prompt = result.text;
      else refused.push({ waiting, refusal: result.refusal });
    }
    return refused;
  }
}
