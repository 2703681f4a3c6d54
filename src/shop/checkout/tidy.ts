import type { Logger } from '../../infra/logger.js';
import type { Checkout } from './checkout.js';

/** How long a purchase stays on disk after its last activity: a week of "vente perdue" on the dashboard. */
export const CHECKOUTS_KEPT_MS = 7 * 24 * 60 * 60_000;

/**
 * Forgets checkouts untouched for `keepMs`, at start and then every `everyMs` (default 6 h);
 * the timer does not keep the process alive.
 */
export function keepCheckoutsTidy(
  checkout: Pick<Checkout, 'sweep'>,
  options: { readonly keepMs: number; readonly everyMs?: number; readonly logger: Pick<Logger, 'info' | 'warn'> },
): { start(): void; stop(): void } {
  let timer: ReturnType<typeof setInterval> | undefined;
  const sweep = () => {
    checkout.sweep(options.keepMs).then(
      (removed) => {
        if (removed > 0) options.logger.info({ removed }, 'checkouts: old purchases forgotten');
      },
      (error: unknown) => options.logger.warn({ err: error }, 'checkouts: could not tidy up'),
    );
  };
  return {
    start() {
      sweep();
      timer ??= setInterval(sweep, options.everyMs ?? 6 * 60 * 60_000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
