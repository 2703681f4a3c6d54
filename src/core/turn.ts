import { ResponderError, type FallbackReason } from './responder.js';
import { DeadlineError } from './timing.js';

/**
 * The clock of one turn: the responder's `AbortSignal`, aborted at `giveUpAt` (or earlier,
 * on shutdown), and what went wrong along the way.
 */
export class Turn {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The last trouble the responder reported: the fallback's reason if the deadline passes. */
  problem: FallbackReason | undefined;

  constructor(
    readonly replyBy: number,
    public giveUpAt: number,
    private readonly now: () => number,
  ) {
    this.schedule();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Moves the give-up moment earlier (never later); aborts now if it has passed. */
  giveUpBy(moment: number): void {
    if (moment >= this.giveUpAt) return;
    this.giveUpAt = moment;
    this.schedule();
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const deadline = this.giveUpAt;
    this.timer = setTimeout(() => this.controller.abort(new DeadlineError(deadline)), Math.max(0, deadline - this.now()));
  }
}

/**
 * Names why a turn produced no answer: the responder says so itself, a passed deadline is a
 * timeout, and anything else is a bug of ours.
 */
export function classifyFailure(error: unknown, signal?: AbortSignal): FallbackReason {
  if (error instanceof ResponderError) return error.code;
  if (error instanceof DeadlineError || signal?.reason instanceof DeadlineError) return 'timeout';
  return 'internal';
}
