/**
 * The one way the providers' clients call HTTP: an injected `fetch`, a deadline that aborts
 * the request (not just stops waiting), and failures sorted into "try again later" and
 * "refused". Error messages carry the provider's own code and message, never a key.
 */
import type { PaymentProviderName } from './types.js';
import { PaymentProviderError } from './types.js';

/** One JSON request. */
export interface JsonRequest {
  readonly provider: PaymentProviderName;
  readonly fetch: typeof fetch;
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Removed from any text that could reach a log (a provider echoing a key in an error). */
  readonly secrets: readonly string[];
}

/** A JSON answer, whatever its status (4xx included: some providers explain in the body). */
export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Sends the request and reads a JSON answer. Throws a `provider_unavailable`
 * {@link PaymentProviderError} when the provider cannot be reached, is too slow, answers
 * 408, 429 or 5xx, or answers something that is not JSON; returns any other answer.
 */
export async function requestJson(request: JsonRequest): Promise<JsonResponse> {
  const deadline = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
  const fail = (message: string, status?: number, cause?: unknown) =>
    new PaymentProviderError('provider_unavailable', request.provider, scrub(message, request.secrets), { status, cause });
  let response: Response;
  try {
    response = await request.fetch(request.url, {
      method: request.method,
      headers: { accept: 'application/json', ...(request.body !== undefined && { 'content-type': 'application/json' }), ...request.headers },
      ...(request.body !== undefined && { body: JSON.stringify(request.body) }),
      signal,
    });
  } catch (error) {
    request.signal?.throwIfAborted();
    const why = deadline.aborted ? `no answer in ${request.timeoutMs} ms` : `unreachable (${describe(error)})`;
    throw fail(why, undefined, scrubError(error, request.secrets));
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    request.signal?.throwIfAborted();
    throw fail(`answer cut short (${describe(error)})`, response.status);
  }
  if (response.status === 408 || response.status === 429 || response.status >= 500) {
    throw fail(`HTTP ${response.status}${explain(text, request.secrets)}`, response.status);
  }
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    throw fail(`HTTP ${response.status}, not JSON`, response.status);
  }
}

/** A refused request, worded from the provider's own `code` and `message` fields. */
export function refused(provider: PaymentProviderName, response: JsonResponse, secrets: readonly string[]): PaymentProviderError {
  return new PaymentProviderError('provider_refused', provider, scrub(`HTTP ${response.status}${explain(JSON.stringify(response.body), secrets)}`, secrets), {
    status: response.status,
  });
}

/** ` (code: message)` from a JSON error body, or nothing. */
function explain(text: string, secrets: readonly string[]): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const parts = [body['code'], body['message'], body['description']].filter((part) => typeof part === 'string' || typeof part === 'number');
    return parts.length > 0 ? ` (${scrub(parts.join(': ').slice(0, 200), secrets)})` : '';
  } catch {
    return '';
  }
}

function scrub(text: string, secrets: readonly string[]): string {
  return secrets.filter((secret) => secret.length >= 6).reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

function scrubError(error: unknown, secrets: readonly string[]): unknown {
  return error instanceof Error ? new Error(scrub(error.message, secrets)) : error;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
