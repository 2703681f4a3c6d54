import type { Logger } from '../infra/logger.js';

/** Drains a durable queue now, and again every `retryMs` while it is started. */
export interface RetryLoop {
  /** Runs one pass now (or joins the one running); never rejects. */
  flush(): Promise<void>;
  start(): void;
  stop(): void;
}

/**
 * The retry loop of a durable queue (waiting orders, deliveries): one pass at a time, every
 * `retryMs` (default 15 s) and on demand; a pass that throws is logged as `what` unreadable.
 */
export function createRetryLoop(options: { pass: () => Promise<void>; logger: Logger; what: string; retryMs?: number }): RetryLoop {
  let timer: ReturnType<typeof setInterval> | undefined;
  let flushing: Promise<void> | undefined;
  const loop: RetryLoop = {
    flush() {
      flushing ??= options
        .pass()
        .catch((error: unknown) => options.logger.error({ err: error }, `${options.what} unreadable`))
        .finally(() => (flushing = undefined));
      return flushing;
    },
    start() {
      timer ??= setInterval(() => void loop.flush(), options.retryMs ?? 15_000);
      timer.unref();
      void loop.flush();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
  return loop;
}
