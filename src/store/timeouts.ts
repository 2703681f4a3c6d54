import { StoreError } from './errors.js';
import type { Store } from './types.js';

/** Options of {@link withStoreTimeouts}. */
export interface StoreTimeoutOptions {
  /** The longest any store call may take, in ms (`STORE_TIMEOUT_MS`). */
  readonly timeoutMs: number;
  /** A different limit for some methods, e.g. `{ close: 10_000 }`. */
  readonly perMethod?: Partial<Record<MethodName, number>>;
}

type MethodName = { [K in keyof Store]: Store[K] extends (...args: never[]) => unknown ? K : never }[keyof Store];

/** How errors name each call, like the stores themselves do. */
const OPERATIONS: Partial<Record<string, string>> = {
  listProducts: 'products.list',
  listZones: 'zones.list',
  placeOrder: 'orders.place',
  quoteOrder: 'orders.quote',
  listCustomerOrders: 'orders.customer',
  findOrder: 'orders.find',
  setOrderStatus: 'orders.status',
  ping: 'store.ping',
  close: 'store.close',
};

/**
 * Bounds every call of a store in time: a call with no answer after `timeoutMs` rejects with
 * a `store_unavailable` {@link StoreError}, so a hung database (a Supabase maintenance, a
 * dropped connection with no reset) never hangs a customer's reply. The call itself goes on
 * in the background; if it commits late, the idempotency keys make the retry harmless.
 * Every method is wrapped, including ones added to {@link Store} later.
 *
 * @example
 * const store = withStoreTimeouts(await createStore(config, logger), { timeoutMs: 5000 });
 */
export function withStoreTimeouts<S extends Store>(store: S, options: StoreTimeoutOptions): S {
  const wrapped = new Map<PropertyKey, unknown>();
  const limitOf = (name: string) => (options.perMethod as Record<string, number | undefined> | undefined)?.[name] ?? options.timeoutMs;
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      let wrapper = wrapped.get(property);
      if (!wrapper) {
        const method = value as (...args: unknown[]) => unknown;
        const operation = OPERATIONS[property] ?? `store.${property}`;
        wrapper = (...args: unknown[]) => {
          const result = method.apply(target, args);
          return isPromiseLike(result) ? withTimeout(result, operation, limitOf(property)) : result;
        };
        wrapped.set(property, wrapper);
      }
      return wrapper;
    },
  });
}

function withTimeout<T>(call: PromiseLike<T>, operation: string, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tooSlow = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StoreError(operation, { code: 'store_unavailable', message: `no answer in ${timeoutMs} ms` })),
      timeoutMs,
    );
  });
  // race() subscribes to both: a late rejection of the abandoned call is never unhandled.
  return Promise.race([call, tooSlow]).finally(() => clearTimeout(timer));
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
