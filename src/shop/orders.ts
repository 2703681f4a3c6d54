import type { DurableQueue } from '../durable/queue.js';
import { createRetryLoop } from '../durable/retry-loop.js';
import type { Logger } from '../infra/logger.js';
import { OrderRejectedError, StoreError, type OrderRejectionCode } from '../store/errors.js';
import type { OrderRequest, PlacedOrder, Store } from '../store/types.js';

/** What became of an order the customer confirmed. */
export type OrderOutcome =
  | { readonly status: 'recorded'; readonly order: PlacedOrder }
  /** The database is unreachable: the order is safe on disk and will be recorded when it is back. */
  | { readonly status: 'queued'; readonly reference: string }
  | {
      readonly status: 'rejected';
      readonly code: OrderRejectionCode;
      readonly detail: string;
      /** The database's facts, e.g. `{ product_name, size, available }` for `out_of_stock`. */
      readonly info?: Readonly<Record<string, unknown>>;
    };

/** Takes orders, and never loses one: when the database is down they wait in a durable queue. */
export interface OrderDesk {
  place(request: OrderRequest): Promise<OrderOutcome>;
  /** Writes the waiting orders to the database, each exactly once (idempotency keys). */
  flush(): Promise<void>;
  /** How many orders wait in the queue. */
  waiting(): Promise<number>;
  start(): void;
  stop(): void;
}

/** What the desk tells the rest of the bot. */
export interface OrderDeskEvents {
  /** An order is in the database; `fromQueue` when it had been waiting (the customer needs the news). */
  recorded(order: PlacedOrder, request: OrderRequest, detail: { fromQueue: boolean }): Promise<void>;
  /** A waiting order could not be placed after all (say, the last dress sold meanwhile). */
  rejectedLater(request: OrderRequest, error: OrderRejectedError): Promise<void>;
}

/**
 * Creates the order desk.
 *
 * @param options.timeoutMs a database call slower than this counts as "database down"; the
 * order goes to the queue (if the slow call did commit, its idempotency key makes the
 * queue's retry return the same order instead of a second one).
 */
export function createOrderDesk(options: {
  store: Store;
  queue: DurableQueue<OrderRequest>;
  events: OrderDeskEvents;
  logger: Logger;
  timeoutMs?: number;
  retryMs?: number;
}): OrderDesk {
  const { store, queue, events, logger } = options;
  const timeoutMs = options.timeoutMs ?? 5000;

  async function placeInStore(request: OrderRequest): Promise<PlacedOrder> {
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const tooSlow = new Promise<never>((_, reject) => {
      timeout = setTimeout(
        () => reject(new StoreError('orders.place', { code: 'store_unavailable', message: `no answer in ${timeoutMs} ms` })),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([store.placeOrder(request), tooSlow]);
    } finally {
      clearTimeout(timeout);
    }
  }

  async function flushOnce(): Promise<void> {
    for (const { key, item } of await queue.list()) {
      try {
        const order = await placeInStore(item);
        await events.recorded(order, item, { fromQueue: true });
        logger.info({ order: order.number, duplicate: order.duplicate }, 'waiting order recorded');
      } catch (error) {
        if (!(error instanceof OrderRejectedError)) {
          logger.warn({ err: error }, 'database still unreachable; orders keep waiting');
          return;
        }
        await events.rejectedLater(item, error);
        logger.warn({ code: error.code }, 'waiting order rejected by the database');
      }
      await queue.remove(key);
    }
  }

  const desk: OrderDesk = {
    async place(request) {
      try {
        const order = await placeInStore(request);
        await events.recorded(order, request, { fromQueue: false }).catch((error: unknown) => {
          logger.error({ err: error, order: order.number }, 'order recorded but its notification failed');
        });
        return { status: 'recorded', order };
      } catch (error) {
        if (error instanceof OrderRejectedError) return { status: 'rejected', code: error.code, detail: error.message, info: error.info };
        // Down, slow, or a bug of ours: either way the customer's order must not be lost.
        logger.warn({ err: error }, 'order kept in the queue until the database answers');
        await queue.put(request.idempotencyKey, request);
        return { status: 'queued', reference: request.idempotencyKey.slice(0, 8).toUpperCase() };
      }
    },
    async waiting() {
      return (await queue.list()).length;
    },
    ...createRetryLoop({ pass: flushOnce, logger, what: 'order queue', retryMs: options.retryMs }),
  };
  return desk;
}
