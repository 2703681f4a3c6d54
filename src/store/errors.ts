import type { z } from 'zod';
/**
 * The two ways a store call fails. {@link StoreError}: the database is unreachable or
 * misbehaved, nothing is known to be wrong with the request, so keep it and retry later.
 * {@link OrderRejectedError}: the database refused the request on its merits (sold out,
 * unknown zone, ...), retrying cannot help, tell the customer.
 */

/** `store_unavailable`: could not reach the database or it was overloaded; `store_failed`: anything else unexpected. */
export type StoreErrorCode = 'store_unavailable' | 'store_failed';

/** The database could not do the job; the request may well be valid. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  /** What was being done, e.g. `orders.place`. */
  readonly operation: string;

  /**
   * @param operation - what was being done, e.g. `orders.place`.
   * @param options - `code` defaults to `store_failed`; `cause` is the underlying error.
   */
  constructor(operation: string, options: { code?: StoreErrorCode; cause?: unknown; message?: string } = {}) {
    const code = options.code ?? 'store_failed';
    const reason = options.message ?? describe(options.cause);
    super(`${operation}: ${code}${reason ? ` (${reason})` : ''}`, { cause: options.cause });
    this.code = code;
    this.operation = operation;
  }
}

/** The machine-readable MESSAGEs the SQL functions raise (SQLSTATE P0001). */
export const ORDER_REJECTION_CODES = [
  'out_of_stock',
  'unknown_product',
  'product_unavailable',
  'unknown_size',
  'unknown_zone',
  'invalid_quantity',
  'empty_order',
  'invalid_phone',
  'invalid_request',
  'unknown_order',
  'invalid_status',
  'invalid_transition',
] as const;

/** Why the database refused a request. */
export type OrderRejectionCode = (typeof ORDER_REJECTION_CODES)[number];

/** The request is invalid as such (e.g. sold out): do not retry, explain to the customer. */
export class OrderRejectedError extends Error {
  override readonly name = 'OrderRejectedError';
  readonly code: OrderRejectionCode;
  /** A French sentence fit for the shop owner's logs, e.g. `Robe … (taille M) : 0 en stock, 1 demandé(s).` */
  readonly detail: string;
  /** The facts behind it, e.g. `{ size: 'M', available: 0, requested: 1 }` for `out_of_stock`. */
  readonly info: Readonly<Record<string, unknown>>;

  /**
   * @param code - why.
   * @param detail - human explanation.
   * @param options - `info` are the structured facts, `cause` the database error.
   */
  constructor(
    code: OrderRejectionCode,
    detail: string,
    options: { info?: Readonly<Record<string, unknown>>; cause?: unknown } = {},
  ) {
    super(detail ? `${code}: ${detail}` : code, { cause: options.cause });
    this.code = code;
    this.detail = detail;
    this.info = options.info ?? {};
  }
}

/** Tells whether a string is one of {@link ORDER_REJECTION_CODES}. */
export function isOrderRejectionCode(value: string): value is OrderRejectionCode {
  return (ORDER_REJECTION_CODES as readonly string[]).includes(value);
}

/** The fields PostgreSQL errors carry, whether from PGlite, `pg` or PostgREST (`details`). */
export interface DatabaseErrorFields {
  readonly code?: string | undefined;
  readonly message?: string | undefined;
  readonly detail?: string | null | undefined;
  readonly hint?: string | null | undefined;
}

/**
 * Turns a PostgreSQL error into an {@link OrderRejectedError} when it is one of ours
 * (P0001 + known message prefix), or a {@link StoreError} otherwise.
 */
export function fromDatabaseError(
  operation: string,
  fields: DatabaseErrorFields,
  cause: unknown,
  unavailable = false,
): StoreError | OrderRejectedError {
  const message = fields.message ?? '';
  const prefix = /^([a-z_]+)(?::|$)/.exec(message)?.[1];
  if (fields.code === 'P0001' && prefix !== undefined && isOrderRejectionCode(prefix)) {
    return new OrderRejectedError(prefix, fields.detail ?? '', { info: parseInfo(fields.hint), cause });
  }
  const sqlState = fields.code ?? '';
  // connection exceptions, resource shortage, shutdown, serialization/deadlock: worth a retry
  const transient = /^(08|53|57P|40)/.test(sqlState);
  return new StoreError(operation, {
    code: unavailable || transient ? 'store_unavailable' : 'store_failed',
    cause,
    message: [sqlState, message].filter(Boolean).join(' '),
  });
}

/** Reads PostgreSQL error fields off anything thrown by a driver, if it looks like one. */
export function readDatabaseError(error: unknown): DatabaseErrorFields | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as Record<string, unknown>;
  if (typeof record['code'] !== 'string' || !/^[0-9A-Z]{5}$/.test(record['code'])) return undefined;
  const text = (key: string): string | undefined => (typeof record[key] === 'string' ? record[key] : undefined);
  return { code: record['code'], message: text('message'), detail: text('detail'), hint: text('hint') };
}

function parseInfo(hint: string | null | undefined): Readonly<Record<string, unknown>> {
  if (!hint) return {};
  try {
    const parsed: unknown = JSON.parse(hint);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return cause === undefined ? '' : String(cause);
}

/** `value` checked against `schema`; data of an unexpected shape is a {@link StoreError} of `operation`. */
export function parseRow<T>(operation: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new StoreError(operation, { cause: result.error, message: `unexpected data: ${result.error.message}` });
  }
  return result.data;
}
