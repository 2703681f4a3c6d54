import { scrubSecrets } from './redact.js';

/** What stands in the logs for the words a provider sent back. */
export const WITHHELD = '[provider message withheld]';

/**
 * An error that carries an HTTP answer from a provider (the OpenAI SDK's `APIError`: a
 * numeric `status` and the response `headers`). Its message is the provider's own words, and
 * providers echo the request in them ("Invalid value: 'Je m'appelle Aya…'"): a customer's
 * text, which must not reach the logs.
 */
function isProviderError(error: unknown): error is Error & { status: number; headers: unknown } {
  if (!(error instanceof Error)) return false;
  const { status, headers } = error as { status?: unknown; headers?: unknown };
  return typeof status === 'number' && typeof headers === 'object' && headers !== null;
}

/** The provider's words found along an error's cause chain, longest first. */
function providerEchoes(error: unknown): string[] {
  const echoes = new Set<string>();
  const seen = new Set<unknown>();
  for (let current: unknown = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    if (!isProviderError(current)) continue;
    echoes.add(current.message);
    echoes.add(current.message.replace(/^\d{3} /, ''));
    const body = (current as { error?: { message?: unknown } }).error;
    if (typeof body?.message === 'string') echoes.add(body.message);
  }
  return [...echoes].filter((echo) => echo.trim().length > 0).sort((a, b) => b.length - a.length);
}

function withhold(text: string, echoes: readonly string[]): string {
  return scrubSecrets(echoes.reduce((clean, echo) => clean.split(echo).join(WITHHELD), text));
}

/**
 * An error's message fit for the logs: secrets scrubbed, and whatever a provider sent back
 * (here or in a cause, quoted by a wrapper) withheld.
 */
export function safeErrorMessage(error: Error): string {
  return withhold(error.message, providerEchoes(error));
}

/**
 * pino's serializer for `err`/`error`: type, message, code, status, stack and cause, scrubbed
 * of secrets; a provider's answer keeps its status, code, type and request id but not its words.
 */
export function serializeError(error: unknown, echoes: readonly string[] = providerEchoes(error)): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? withhold(error, echoes) : error;
  const { code, status, type, requestID } = error as { code?: unknown; status?: unknown; type?: unknown; requestID?: unknown };
  const provider = isProviderError(error);
  return {
    type: error.name,
    message: provider ? `the provider answered ${String(status)}: ${WITHHELD}` : withhold(error.message, echoes),
    ...(code !== undefined && code !== null && { code }),
    ...(status !== undefined && { status }),
    ...(provider && typeof type === 'string' && { providerType: type }),
    ...(provider && typeof requestID === 'string' && { requestId: requestID }),
    ...(error.stack && { stack: withhold(error.stack, echoes) }),
    ...(error.cause !== undefined && { cause: serializeError(error.cause, echoes) }),
  };
}
