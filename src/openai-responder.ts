import OpenAI from 'openai';
import pRetry from 'p-retry';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { ResponderError, type FallbackReason, type Reply, type ReplyRequest, type Responder } from './responder.js';
import { sleep } from './timing.js';

/** How to reach the model and how hard to try. */
export interface OpenAIResponderOptions {
  /** An OpenAI SDK client; build it with `maxRetries: 0` (retries are decided here, under the deadline). */
  readonly client: OpenAI;
  readonly model: string;
  /** The shop's instructions, given as the system message of every call. */
  readonly systemPrompt: string | (() => string);
  /**
   * One attempt longer than this is abandoned and retried (a hung socket), as long as the
   * late-answer window leaves room. Slow-but-alive answers need less than this.
   */
  readonly attemptTimeoutMs?: number;
  /** At most this many retries per turn. */
  readonly maxRetries?: number;
  readonly now?: () => number;
}

/** A retry decision for one failed attempt. */
interface Verdict {
  readonly retry: boolean;
  readonly reason: FallbackReason;
  /** What the provider asked us to wait before trying again, in ms. */
  readonly waitMs?: number;
}

/**
 * The real brain: an OpenAI (or compatible) chat model, retried on transient failures only
 * while the deadlines leave room, and honest about it: a 429 whose `retry-after` passes the
 * reply deadline is reported at once so the fallback goes out now.
 */
export function createOpenAIResponder(options: OpenAIResponderOptions): Responder {
  const { client, model } = options;
  const now = options.now ?? Date.now;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 25_000;
  const systemPrompt = () => (typeof options.systemPrompt === 'function' ? options.systemPrompt() : options.systemPrompt);

  async function attempt(request: ReplyRequest): Promise<Reply> {
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: systemPrompt() },
      ...request.history.map((entry) => ({ role: entry.role, content: entry.content })),
    ];
    const attemptSignal = AbortSignal.any([request.signal, AbortSignal.timeout(attemptTimeoutMs)]);
    const completion = await client.chat.completions.create(
      { model, messages },
      { signal: attemptSignal, maxRetries: 0, timeout: attemptTimeoutMs },
    );
    const text = completion.choices[0]?.message?.content?.trim();
    if (!text) throw new ResponderError('the model returned an empty answer', 'provider_error');
    return { text };
  }

  return {
    description: `openai ${model} at ${client.baseURL}`,
    reply(request) {
      return pRetry(() => attempt(request), {
        retries: options.maxRetries ?? 6,
        minTimeout: 200,
        maxTimeout: 3000,
        factor: 2,
        randomize: true,
        signal: request.signal,
        maxRetryTime: Math.max(0, request.giveUpAt - now()),
        onFailedAttempt: async ({ error }) => {
          if (request.signal.aborted) throw request.signal.reason;
          const verdict = judge(error);
          if (!verdict.retry) {
            throw error instanceof ResponderError ? error : new ResponderError(describe(error), verdict.reason, { cause: error });
          }
          const waitMs = verdict.waitMs ?? 0;
          if (now() + waitMs >= request.giveUpAt) {
            throw new ResponderError(`${describe(error)}; retry-after ${waitMs} ms is past the last moment`, verdict.reason, {
              cause: error,
            });
          }
          request.reportProblem(verdict.reason);
          if (now() + waitMs >= request.replyBy) request.onSetback(verdict.reason);
          if (waitMs > 0) await sleep(waitMs, request.signal);
        },
      });
    },
  };
}

/** Sorts an attempt's failure into "try again" or "give up", with the fallback reason. */
function judge(error: unknown): Verdict {
  if (error instanceof OpenAI.RateLimitError) {
    // An exhausted quota does not come back in a minute.
    if (error.code === 'insufficient_quota') return { retry: false, reason: 'rate_limit' };
    return { retry: true, reason: 'rate_limit', waitMs: retryAfterMs(error.headers) };
  }
  if (error instanceof OpenAI.APIUserAbortError || error instanceof OpenAI.APIConnectionTimeoutError) {
    return { retry: true, reason: 'timeout' };
  }
  if (error instanceof OpenAI.APIConnectionError) return { retry: true, reason: 'provider_error' };
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? 0;
    const transient = status >= 500 || status === 408 || status === 409;
    return { retry: transient, reason: 'provider_error', waitMs: transient ? retryAfterMs(error.headers) : undefined };
  }
  if (error instanceof ResponderError) return { retry: error.code === 'provider_error', reason: error.code };
  if (error instanceof Error && error.name === 'TimeoutError') return { retry: true, reason: 'timeout' };
  return { retry: false, reason: 'internal' };
}

/** Reads `retry-after-ms`, then `retry-after` (seconds or an HTTP date), as OpenAI sends them. */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function describe(error: unknown): string {
  if (error instanceof OpenAI.APIError && error.status) return `the model provider answered ${error.status}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
