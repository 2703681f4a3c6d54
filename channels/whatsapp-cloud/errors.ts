/**
 * What can go wrong talking to Meta, and what the channel does about it. Meta asks that error
 * handling be built on the numeric `code` (and `error_data.details`), not on titles or HTTP
 * statuses: https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes/
 */

/** Throughput: the business number sent more than its messages-per-second allowance (130429, "Rate limit hit"). */
export const THROUGHPUT_LIMIT = 130_429;
/** Pair rate limit: too many messages to the same customer in a short time, about one per 6 s (131056). */
export const PAIR_RATE_LIMIT = 131_056;
/** The customer-service window is closed: more than 24 h since the customer last wrote (131047, "Re-engagement message"). */
export const WINDOW_CLOSED = 131_047;
/** The access token expired, was revoked, or is not one (190). */
export const TOKEN_INVALID = 190;

/**
 * An answer from the Graph API other than success, or no answer at all. `code` is Meta's
 * error code (0 when there is none: a network failure, a timeout, or a body that is not
 * Meta's error shape); `status` the HTTP status (0 when no response came).
 */
export class GraphApiError extends Error {
  override readonly name = 'GraphApiError';

  constructor(
    message: string,
    readonly code: number,
    readonly status: number,
    readonly details?: string,
    readonly fbtraceId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Builds the error from a failed response's JSON: `{ error: { message, type, code, error_data: { details }, fbtrace_id } }`. */
  static fromResponse(status: number, body: unknown): GraphApiError {
    const error = isRecord(body) && isRecord(body.error) ? body.error : {};
    const code = typeof error.code === 'number' ? error.code : 0;
    const text = typeof error.message === 'string' ? error.message : `HTTP ${status}`;
    const data = isRecord(error.error_data) ? error.error_data : {};
    const details = typeof data.details === 'string' ? data.details : undefined;
    const trace = typeof error.fbtrace_id === 'string' ? error.fbtrace_id : undefined;
    return new GraphApiError(`Graph API ${status}: ${text}${details ? ` (${details})` : ''}`, code, status, details, trace);
  }
}

/** Why a reply did not reach the customer, in the channel's own words. */
export type WhatsAppCloudErrorCode =
  | 'token_refused'
  | 'window_closed'
  | 'not_a_whatsapp_chat'
  | 'choices_do_not_fit'
  | 'media_too_large'
  | 'media_untrusted_url'
  | 'media_corrupt';

/** A failure of the Cloud API channel itself, with the Graph API error behind it as `cause` when there is one. */
export class WhatsAppCloudError extends Error {
  override readonly name = 'WhatsAppCloudError';

  constructor(
    readonly code: WhatsAppCloudErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** How a failed call may be tried again: after Meta's throughput or pair limit, or after a passing fault. */
export type RetryReason = 'throughput' | 'pair_rate' | 'transient';

/** Codes Meta documents as temporary: unknown error (1), service overloaded (2), something went wrong (131000), service unavailable (131016). */
const TRANSIENT_CODES = new Set([1, 2, 131_000, 131_016]);

/** Whether (and why) a failed Graph API call is worth trying again; `undefined` for a final answer. */
export function retryReasonOf(error: unknown): RetryReason | undefined {
  if (!(error instanceof GraphApiError)) return undefined;
  if (error.code === THROUGHPUT_LIMIT) return 'throughput';
  if (error.code === PAIR_RATE_LIMIT) return 'pair_rate';
  if (error.code === 0 && error.status === 429) return 'throughput';
  if (TRANSIENT_CODES.has(error.code)) return 'transient';
  if (error.code === 0 && (error.status === 0 || error.status >= 500)) return 'transient';
  return undefined;
}

/**
 * True when Meta refused the token itself: invalid or expired (190, or any 401), or lacking
 * the permission to send (10, 200–299). Nothing gets through until someone changes it.
 */
export function isTokenRefused(error: unknown): boolean {
  if (!(error instanceof GraphApiError)) return false;
  return error.status === 401 || error.code === TOKEN_INVALID || error.code === 10 || (error.code >= 200 && error.code <= 299);
}

/** True when the 24-hour customer-service window is closed: only an approved template may be sent. */
export function isWindowClosed(error: unknown): boolean {
  return error instanceof GraphApiError && error.code === WINDOW_CLOSED;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
