import type { Health } from '../core/channel.js';
import type { Logger } from '../infra/logger.js';
import type { Store } from './types.js';

/** Pings the store now and then, so `/healthz` tells the truth and recovery is noticed. */
export interface StoreWatch {
  status(): Health;
  /** Starts pinging; `onRecovered` runs when the store answers again after failing. */
  start(onRecovered: () => void): void;
  stop(): void;
}

/** Watches `store` every `intervalMs` (default 15 s). */
export function watchStore(store: Store, logger: Logger, options: { intervalMs?: number } = {}): StoreWatch {
  let state: Health = { state: 'starting', detail: store.kind };
  let timer: ReturnType<typeof setInterval> | undefined;
  let recovered: () => void = () => undefined;

  async function check(): Promise<void> {
    try {
      await store.ping();
      if (state.state === 'degraded') {
        logger.info({ store: store.kind }, 'database reachable again');
        recovered();
      }
      state = { state: 'ready', detail: store.kind };
    } catch (error) {
      if (state.state !== 'degraded') logger.error({ err: error, store: store.kind }, 'database unreachable');
      state = { state: 'degraded', detail: `${store.kind}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  return {
    status: () => state,
    start(onRecovered) {
      recovered = onRecovered;
      void check();
      timer ??= setInterval(() => void check(), options.intervalMs ?? 15_000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
