import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromDatabaseError, OrderRejectedError, readDatabaseError, StoreError } from '../../src/store/errors.js';
import { compareSizes, packageRoot, placeOrderArgs } from '../../src/store/sql.js';

describe('fromDatabaseError', () => {
  it('turns our P0001 messages into OrderRejectedError, with the hint parsed as facts', () => {
    const cause = new Error('db');
    const error = fromDatabaseError(
      'orders.place',
      { code: 'P0001', message: 'unknown_size', detail: 'Pas en XXL.', hint: '{"sizes":["M","L"]}' },
      cause,
    );
    expect(error).toBeInstanceOf(OrderRejectedError);
    expect(error).toMatchObject({ name: 'OrderRejectedError', code: 'unknown_size', detail: 'Pas en XXL.', info: { sizes: ['M', 'L'] }, cause });
    expect(fromDatabaseError('x', { code: 'P0001', message: 'out_of_stock: M', hint: 'not json' }, cause)).toMatchObject({ code: 'out_of_stock', info: {} });
  });

  it('keeps everything else a StoreError, unavailable when a retry may help', () => {
    const cases: [string, string][] = [
      ['P0001', 'store_failed'],
      ['23505', 'store_failed'],
      ['42501', 'store_failed'],
      ['08006', 'store_unavailable'],
      ['53300', 'store_unavailable'],
      ['57P01', 'store_unavailable'],
      ['40P01', 'store_unavailable'],
    ];
    for (const [code, expected] of cases) {
      const error = fromDatabaseError('catalog.list', { code, message: 'boom' }, undefined);
      expect(error).toBeInstanceOf(StoreError);
      expect([code, error.code]).toEqual([code, expected]);
    }
    expect(fromDatabaseError('x', { code: '', message: 'fetch failed' }, undefined, true).code).toBe('store_unavailable');
    const plain = new StoreError('orders.place', { cause: new Error('socket hang up') });
    expect(plain).toMatchObject({ name: 'StoreError', code: 'store_failed', operation: 'orders.place' });
    expect(plain.message).toContain('socket hang up');
  });

  it('reads SQLSTATE fields off driver errors only', () => {
    expect(readDatabaseError(Object.assign(new Error('x'), { code: '23505', detail: 'd' }))).toMatchObject({ code: '23505', message: 'x', detail: 'd' });
    expect(readDatabaseError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(readDatabaseError('nope')).toBeUndefined();
  });
});

describe('sql helpers', () => {
  it('finds the package root from src/ and from dist/src/', () => {
    const root = packageRoot();
    expect(packageRoot(join(root, 'src', 'store', 'sql.ts'))).toBe(root);
    expect(packageRoot(join(root, 'dist', 'src', 'store', 'sql.js'))).toBe(root);
  });

  it('orders sizes the way a shop does', () => {
    expect(['XL', '40', 'Unique', 'S', '38', 'M', 'XS'].sort(compareSizes)).toEqual(['XS', 'S', 'M', 'XL', '38', '40', 'Unique']);
  });

  it('sends only id, size and quantity for each line', () => {
    const line = { productId: 'p', size: 'M', quantity: 1, unitPriceFcfa: 1 };
    const args = placeOrderArgs({ idempotencyKey: 'k', channel: 'c', chatId: '1', customerName: 'n', phone: '+225', zone: 'z', lines: [line] });
    expect(args.p_lines).toEqual([{ product_id: 'p', size: 'M', quantity: 1 }]);
  });
});
