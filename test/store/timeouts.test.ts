import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OrderRejectedError, StoreError } from '../../src/store/errors.js';
import type { Store } from '../../src/store/types.js';
import { withStoreTimeouts } from '../../src/store/timeouts.js';

const never = () => new Promise<never>(() => undefined);

/** A store whose every call hangs, like Supabase during its maintenance window, unless told otherwise. */
function hungStore(overrides: Partial<Record<string, (...args: never[]) => unknown>> = {}): Store {
  const base = {
    kind: 'supabase' as const,
    listProducts: never,
    listZones: never,
    placeOrder: never,
    setOrderStatus: never,
    ping: never,
    close: never,
    ...overrides,
  };
  return base as unknown as Store;
}

describe('withStoreTimeouts', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['listProducts', 'products.list', []],
    ['listZones', 'zones.list', []],
    ['placeOrder', 'orders.place', [{}]],
    ['setOrderStatus', 'orders.status', ['id', 'confirmed']],
    ['ping', 'store.ping', []],
    ['close', 'store.close', []],
  ] as const)('a hung %s fails with store_unavailable after timeoutMs', async (method, operation, args) => {
    const store = withStoreTimeouts(hungStore(), { timeoutMs: 2000 });
    const call = (store[method] as (...a: unknown[]) => Promise<unknown>)(...args);
    const settled = vi.fn();
    call.catch(settled);
    await vi.advanceTimersByTimeAsync(1999);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    const error: unknown = settled.mock.calls[0]?.[0];
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'store_unavailable', operation });
  });

  it('wraps methods the Store interface gains later, under their own name', async () => {
    const store = withStoreTimeouts(hungStore({ listRecentOrders: never }), { timeoutMs: 100 });
    const call = (store as unknown as { listRecentOrders(): Promise<unknown> }).listRecentOrders();
    const check = expect(call).rejects.toMatchObject({ code: 'store_unavailable', operation: 'store.listRecentOrders' });
    await vi.advanceTimersByTimeAsync(100);
    await check;
  });

  it('passes answers and errors through untouched, keeps `kind` and `this`, and clears its timers', async () => {
    const rejection = new OrderRejectedError('out_of_stock', 'plus de M');
    class Real {
      readonly kind = 'embedded' as const;
      private readonly products = [{ id: 'p' }];
      async listProducts() {
        return this.products;
      }
      async placeOrder() {
        throw rejection;
      }
    }
    const store = withStoreTimeouts(new Real() as unknown as Store, { timeoutMs: 1000, perMethod: { placeOrder: 5000 } });
    expect(store.kind).toBe('embedded');
    expect(await store.listProducts()).toEqual([{ id: 'p' }]);
    await expect(store.placeOrder({} as never)).rejects.toBe(rejection);
    expect(store.listProducts).toBe(store.listProducts);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('uses the per-method limit, and a late failure of the abandoned call is never unhandled', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      let fail: (error: Error) => void = () => undefined;
      const late = () => new Promise<never>((_, reject) => (fail = reject));
      const store = withStoreTimeouts(hungStore({ placeOrder: late }), { timeoutMs: 1000, perMethod: { placeOrder: 3000 } });
      const call = store.placeOrder({} as never);
      const check = expect(call).rejects.toMatchObject({ message: expect.stringContaining('no answer in 3000 ms') });
      await vi.advanceTimersByTimeAsync(3000);
      await check;
      fail(new Error('connection reset, at last'));
      await vi.advanceTimersByTimeAsync(10);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
