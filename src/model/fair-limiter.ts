/**
 * A bounded number of jobs at once, handed out round-robin across keys (one key per
 * conversation), so a chatty chat never takes every slot and no chat waits forever.
 */

/** Gives a slot back; calling it more than once is harmless. */
export type Release = () => void;

/** Options of {@link createFairLimiter}. */
export interface FairLimiterOptions {
  /** Jobs running at once across all keys. */
  readonly concurrency: number;
  /** Jobs of one key running at once. Default 1. */
  readonly perKey?: number;
  /** Waiting jobs beyond which {@link FairLimiter.acquire} refuses at once. Default 50 × `concurrency`. */
  readonly maxWaiting?: number;
  readonly now?: () => number;
  /** Called after every change of `running` or `waiting` (for gauges). */
  readonly onChange?: () => void;
}

/** What {@link FairLimiter.acquire} waits under. */
export interface AcquireOptions {
  /** Aborting it takes the job out of the queue; `acquire` rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Epoch ms: a job still waiting then leaves the queue with a {@link SlotTimeoutError}. */
  readonly deadline?: number;
}

/** Round-robin slots; see {@link createFairLimiter}. */
export interface FairLimiter {
  /** Resolves with a release once `key` has a slot; rejects if the job may not wait. */
  acquire(key: string, options?: AcquireOptions): Promise<Release>;
  readonly running: number;
  readonly waiting: number;
  readonly concurrency: number;
}

/** The queue is full: the job was refused at once. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  readonly code = 'queue_full';
  constructor(readonly waiting: number) {
    super(`${waiting} jobs already waiting for a slot`);
  }
}

/** The job's deadline passed before a slot was free. */
export class SlotTimeoutError extends Error {
  override readonly name = 'SlotTimeoutError';
  readonly code = 'slot_timeout';
  constructor(readonly deadline: number) {
    super(`no slot free before ${new Date(deadline).toISOString()}`);
  }
}

interface Waiter {
  readonly key: string;
  readonly grant: () => void;
}

/**
 * Creates a limiter. Slots go to the waiting keys in turn: a key that got one goes to the
 * back of the round, so with 8 slots and 100 chats each chat is served in arrival order and a
 * chat sending ten messages gets one slot per round, like everybody else.
 *
 * @example
 * const limiter = createFairLimiter({ concurrency: 8 });
 * const release = await limiter.acquire(conversationKey, { signal });
 * try { await callTheModel(); } finally { release(); }
 */
export function createFairLimiter(options: FairLimiterOptions): FairLimiter {
  const { concurrency } = options;
  const perKey = options.perKey ?? 1;
  const maxWaiting = options.maxWaiting ?? concurrency * 50;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  // A Map iterates in insertion order: re-inserting a key sends it to the back of the round.
  const queues = new Map<string, Waiter[]>();
  const runningByKey = new Map<string, number>();
  let running = 0;
  let waiting = 0;
  const changed = () => options.onChange?.();

  function next(): Waiter | undefined {
    for (const [key, list] of queues) {
      if ((runningByKey.get(key) ?? 0) >= perKey) continue;
      const waiter = list.shift()!;
      queues.delete(key);
      if (list.length > 0) queues.set(key, list);
      waiting -= 1;
      return waiter;
    }
    return undefined;
  }

  function take(key: string): Release {
    running += 1;
    runningByKey.set(key, (runningByKey.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      running -= 1;
      const left = (runningByKey.get(key) ?? 1) - 1;
      if (left > 0) runningByKey.set(key, left);
      else runningByKey.delete(key);
      fill();
      changed();
    };
  }

  function fill(): void {
    while (running < concurrency) {
      const waiter = next();
      if (!waiter) return;
      waiter.grant();
    }
  }

  function remove(waiter: Waiter): boolean {
    const list = queues.get(waiter.key);
    const index = list?.indexOf(waiter) ?? -1;
    if (!list || index < 0) return false;
    list.splice(index, 1);
    if (list.length === 0) queues.delete(waiter.key);
    waiting -= 1;
    return true;
  }

  return {
    get running() {
      return running;
    },
    get waiting() {
      return waiting;
    },
    concurrency,
    acquire(key, { signal, deadline } = {}) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (deadline !== undefined && deadline <= now()) return Promise.reject(new SlotTimeoutError(deadline));
      // Free slots only remain while every waiter is held back by its own key's limit.
      if (running < concurrency && (runningByKey.get(key) ?? 0) < perKey) {
        const release = take(key);
        changed();
        return Promise.resolve(release);
      }
      if (waiting >= maxWaiting) return Promise.reject(new QueueFullError(waiting));
      return new Promise<Release>((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const cleanup = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        };
        const leave = (reason: unknown) => {
          if (!remove(waiter)) return;
          cleanup();
          reject(reason);
          changed();
        };
        const onAbort = () => leave(signal?.reason);
        const waiter: Waiter = {
          key,
          grant: () => {
            cleanup();
            resolve(take(key));
          },
        };
        const list = queues.get(key);
        if (list) list.push(waiter);
        else queues.set(key, [waiter]);
        waiting += 1;
        signal?.addEventListener('abort', onAbort, { once: true });
        if (deadline !== undefined) timer = setTimeout(() => leave(new SlotTimeoutError(deadline)), deadline - now());
        changed();
      });
    },
  };
}
