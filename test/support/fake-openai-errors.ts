import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sleepUnlessClosed } from './http-util.js';

/** A one-shot (see `enqueue`) or default (see `setDefault`) way of handling a request. */
export type OpenAIBehaviour =
  | { latencyMs: number }
  | { content: string; latencyMs?: number }
  | {
      status: 429;
      /** Seconds, sent as the `retry-after` header. */
      retryAfter?: number;
      /** Milliseconds, sent as the `retry-after-ms` header. */
      retryAfterMs?: number;
      code?: 'rate_limit_exceeded' | 'insufficient_quota';
      latencyMs?: number;
    }
  | { status: 400 | 401 | 500 | 502 | 503; latencyMs?: number }
  /** Never answer; the socket stays open until the client aborts or `close()`. */
  | { hang: true; latencyMs?: number }
  /** Destroy the socket without answering. */
  | { reset: true; latencyMs?: number };

/** OpenAI's error body: https://platform.openai.com/docs/guides/error-codes (`{ error: { message, type, param, code } }`). */
export interface OpenAIErrorBody {
  readonly message: string;
  readonly type: string;
  readonly code: string | null;
}

export const ERRORS: Record<number, OpenAIErrorBody> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: {
    message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
    type: 'invalid_request_error',
    code: 'invalid_api_key',
  },
  500: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null },
  502: { message: 'Bad gateway.', type: 'server_error', code: null },
  503: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null },
};

/** The 401 for a missing or wrong bearer key; `undefined` when the key is accepted. */
export function refuseKey(req: IncomingMessage, apiKey: string | undefined): { status: 401; error: OpenAIErrorBody } | undefined {
  const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (key && (apiKey === undefined || key === apiKey)) return undefined;
  const message =
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
  return { status: 401, error: key ? ERRORS[401]! : { message, type: 'invalid_request_error', code: null } };
}

/**
 * Plays a behaviour's fault: waits its latency, then hangs, drops the socket or answers its
 * error status. Resolves `answer` when the request should be answered normally (no fault),
 * `failed` when an error was sent or the socket dropped, `gone` when the client left or it hangs.
 */
export async function misbehave(
  behaviour: OpenAIBehaviour | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  model: string,
): Promise<'answer' | 'failed' | 'gone'> {
  const latencyMs = behaviour?.latencyMs ?? 0;
  if (latencyMs > 0 && !(await sleepUnlessClosed(latencyMs, res))) return 'gone';
  if (behaviour && 'hang' in behaviour) return 'gone';
  if (behaviour && 'reset' in behaviour) {
    req.socket.destroy();
    return 'failed';
  }
  if (!behaviour || !('status' in behaviour)) return 'answer';
  if (behaviour.status !== 429) {
    sendError(res, behaviour.status, ERRORS[behaviour.status]!);
    return 'failed';
  }
  const quota = behaviour.code === 'insufficient_quota';
  const headers: Record<string, string> = {};
  if (behaviour.retryAfter !== undefined) headers['retry-after'] = String(behaviour.retryAfter);
  if (behaviour.retryAfterMs !== undefined) headers['retry-after-ms'] = String(behaviour.retryAfterMs);
  const message = quota
    ? 'You exceeded your current quota, please check your plan and billing details.'
    : `Rate limit reached for ${model} on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${behaviour.retryAfter ?? 20}s.`;
  sendError(res, 429, { message, type: quota ? 'insufficient_quota' : 'requests', code: behaviour.code ?? 'rate_limit_exceeded' }, headers);
  return 'failed';
}

export function sendError(res: ServerResponse, status: number, error: OpenAIErrorBody, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { message: error.message, type: error.type, param: null, code: error.code } }, headers);
}

export function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': requestId(), ...headers });
  res.end(JSON.stringify(payload));
}

export const requestId = (): string => `req_${randomBytes(16).toString('hex')}`;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
