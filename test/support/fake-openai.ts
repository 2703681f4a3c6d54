import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sleepUnlessClosed } from './http-util.js';

/** The parts of a chat-completions request body the fake looks at; everything else is kept as sent. */
export interface ChatCompletionRequestBody {
  model: string;
  messages: Array<{ role: string; content?: unknown; [key: string]: unknown }>;
  stream?: boolean;
  [key: string]: unknown;
}

/** A tool call the scripted assistant makes. */
export interface FakeToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** What a reply function produces: plain text, or content and/or tool calls. */
export type FakeReply = string | { content?: string; tool_calls?: FakeToolCall[] };

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
  | { status: 401 | 500 | 502 | 503; latencyMs?: number }
  /** Never answer; the socket stays open until the client aborts or `close()`. */
  | { hang: true; latencyMs?: number }
  /** Destroy the socket without answering. */
  | { reset: true; latencyMs?: number };

/** One well-formed chat-completions request the fake received (rejected keys included, as `failed`). */
export interface RecordedRequest {
  body: ChatCompletionRequestBody;
  headers: IncomingHttpHeaders;
  /** `Date.now()` at arrival. */
  at: number;
  /** Unset while in flight. */
  outcome?: 'answered' | 'failed' | 'aborted';
}

/** Handle on a running fake OpenAI server. */
export interface FakeOpenAI {
  /** Server root; give the SDK `baseURL: url + '/v1'`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Requests answered with a completion. */
  readonly answered: number;
  setReply(fn: (body: ChatCompletionRequestBody) => FakeReply | Promise<FakeReply>): void;
  /** Queues one-shot behaviours, consumed one per request in order. */
  enqueue(...behaviours: OpenAIBehaviour[]): void;
  /** Behaviour used when the queue is empty (`undefined` to answer normally again). */
  setDefault(behaviour: OpenAIBehaviour | undefined): void;
  /**
   * Decides a request's behaviour from its body before the queue and the default are looked at
   * (`undefined`: fall through to them), so concurrent customers can each get their own fault.
   */
  route(fn: ((body: ChatCompletionRequestBody) => OpenAIBehaviour | undefined) | undefined): void;
  /** Resolves with `requests` once at least `n` have arrived. */
  waitForRequests(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Requests not finished yet (slow or hung). */
  inFlight(): number;
  /** Destroys hung sockets and stops listening. */
  close(): Promise<void>;
}

/** Text of the last user message (string content or the text parts of an array content). */
export function lastUserText(body: ChatCompletionRequestBody): string {
  const last = body.messages.filter((m) => m.role === 'user').at(-1);
  if (typeof last?.content === 'string') return last.content;
  if (!Array.isArray(last?.content)) return '';
  return last.content
    .map((part: unknown) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

const defaultReply = (body: ChatCompletionRequestBody): FakeReply => `Réponse à: ${lastUserText(body)}`;

const ERRORS: Record<number, { message: string; type: string; code: string | null }> = {
  401: {
    message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
    type: 'invalid_request_error',
    code: 'invalid_api_key',
  },
  500: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null },
  502: { message: 'Bad gateway.', type: 'server_error', code: null },
  503: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null },
};

/**
 * Starts a fake OpenAI API on 127.0.0.1 with a random port, serving `POST /v1/chat/completions`.
 * With `apiKey` set, any other bearer key is rejected; otherwise any non-empty key is accepted.
 */
export async function startFakeOpenAI(options: { apiKey?: string } = {}): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = [];
  const queue: OpenAIBehaviour[] = [];
  const arrivals = new Set<() => void>();
  let fallback: OpenAIBehaviour | undefined;
  let router: ((body: ChatCompletionRequestBody) => OpenAIBehaviour | undefined) | undefined;
  let replyFn: (body: ChatCompletionRequestBody) => FakeReply | Promise<FakeReply> = defaultReply;
  let answered = 0;

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, { ...ERRORS[500]!, message: String(error) });
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendError(res, 404, { message: `Invalid URL (${req.method} ${path})`, type: 'invalid_request_error', code: null });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return sendError(res, 400, { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', code: null });
    }
    if (!isObject(parsed) || typeof parsed.model !== 'string' || !Array.isArray(parsed.messages)) {
      return sendError(res, 400, { message: "Missing required parameter: 'model' or 'messages'.", type: 'invalid_request_error', code: null });
    }
    const body = parsed as ChatCompletionRequestBody;
    const record: RecordedRequest = { body, headers: req.headers, at: Date.now() };
    requests.push(record);
    for (const notify of arrivals) notify();
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!key || (options.apiKey !== undefined && key !== options.apiKey)) {
      record.outcome = 'failed';
      const message = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
      return sendError(res, 401, key ? ERRORS[401]! : { message, type: 'invalid_request_error', code: null });
    }

    const behaviour = router?.(body) ?? queue.shift() ?? fallback;
    res.on('close', () => {
      record.outcome ??= 'aborted';
    });
    const latencyMs = behaviour?.latencyMs ?? 0;
    if (latencyMs > 0 && !(await sleepUnlessClosed(latencyMs, res))) return;
    if (behaviour && 'hang' in behaviour) return;
    if (behaviour && 'reset' in behaviour) {
      record.outcome = 'failed';
      req.socket.destroy();
      return;
    }
    if (behaviour && 'status' in behaviour) {
      record.outcome = 'failed';
      if (behaviour.status !== 429) return sendError(res, behaviour.status, ERRORS[behaviour.status]!);
      const quota = behaviour.code === 'insufficient_quota';
      const headers: Record<string, string> = {};
      if (behaviour.retryAfter !== undefined) headers['retry-after'] = String(behaviour.retryAfter);
      if (behaviour.retryAfterMs !== undefined) headers['retry-after-ms'] = String(behaviour.retryAfterMs);
      const message = quota
        ? 'You exceeded your current quota, please check your plan and billing details.'
        : `Rate limit reached for ${body.model} on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${behaviour.retryAfter ?? 20}s.`;
      return sendError(res, 429, { message, type: quota ? 'insufficient_quota' : 'requests', code: behaviour.code ?? 'rate_limit_exceeded' }, headers);
    }
    const produced = behaviour && 'content' in behaviour ? behaviour.content : await replyFn(body);
    if (record.outcome) return;
    const { content = null, tool_calls } = typeof produced === 'string' ? { content: produced } : produced;
    record.outcome = 'answered';
    answered += 1;
    const usage = usageFor(body, content, tool_calls);
    if (body.stream === true) return stream(res, body, content, tool_calls, usage);
    const message = { role: 'assistant', content, refusal: null, ...(tool_calls ? { tool_calls } : {}) };
    const choice = { index: 0, message, finish_reason: tool_calls ? 'tool_calls' : 'stop', logprobs: null };
    sendJson(res, 200, { ...envelope(body, 'chat.completion'), choices: [choice], usage });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get answered() {
      return answered;
    },
    setReply(fn) {
      replyFn = fn;
    },
    enqueue(...behaviours) {
      queue.push(...behaviours);
    },
    setDefault(behaviour) {
      fallback = behaviour;
    },
    route(fn) {
      router = fn;
    },
    waitForRequests(n, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (requests.length < n) return;
          clearTimeout(timer);
          arrivals.delete(check);
          resolve(requests);
        };
        const timer = setTimeout(() => {
          arrivals.delete(check);
          reject(new Error(`fake-openai: expected ${n} requests within ${timeoutMs} ms, got ${requests.length}`));
        }, timeoutMs);
        arrivals.add(check);
        check();
      });
    },
    inFlight: () => requests.filter((r) => r.outcome === undefined).length,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };

function stream(res: ServerResponse, body: ChatCompletionRequestBody, content: string | null, toolCalls: FakeToolCall[] | undefined, usage: Usage): void {
  const base = envelope(body, 'chat.completion.chunk');
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': requestId() });
  res.write(chunk({ role: 'assistant', content: '', refusal: null }));
  for (const piece of content?.match(/\S+\s*|\s+/g) ?? []) res.write(chunk({ content: piece }));
  toolCalls?.forEach((call, index) => res.write(chunk({ tool_calls: [{ index, ...call }] })));
  res.write(chunk({}, toolCalls ? 'tool_calls' : 'stop'));
  const options = body.stream_options;
  if (isObject(options) && options.include_usage === true) {
    res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}

function envelope(body: ChatCompletionRequestBody, object: string): Record<string, unknown> {
  return {
    id: `chatcmpl-${randomBytes(12).toString('base64url')}`,
    object,
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    system_fingerprint: 'fp_fake',
  };
}

// Roughly four characters per token, like OpenAI's rule of thumb; only needs to be plausible.
function usageFor(body: ChatCompletionRequestBody, content: string | null, toolCalls: FakeToolCall[] | undefined): Usage {
  const prompt_tokens = Math.ceil(JSON.stringify(body.messages).length / 4);
  const completion_tokens = Math.ceil(((content ?? '').length + JSON.stringify(toolCalls ?? []).length - 2) / 4) || 1;
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

function sendError(
  res: ServerResponse,
  status: number,
  error: { message: string; type: string; code: string | null },
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { message: error.message, type: error.type, param: null, code: error.code } }, headers);
}

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': requestId(), ...headers });
  res.end(JSON.stringify(payload));
}

const requestId = (): string => `req_${randomBytes(16).toString('hex')}`;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
