/**
 * Waits `ms` milliseconds, or rejects with the signal's reason as soon as it aborts.
 * The timer is always cleared.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Thrown into an aborted call when its deadline passed (the `reason` of the abort). */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  readonly code = 'deadline_exceeded';
  constructor(readonly deadline: number) {
    super(`deadline of ${new Date(deadline).toISOString()} passed`);
  }
}
