import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeTranscriptions, type FakeTranscriptions } from './fake-openai-audio.js';
import { ERRORS, isObject, misbehave, refuseKey, requestId, sendError, sendJson, type OpenAIBehaviour } from './fake-openai-errors.js';
import { readBody } from './http-util.js';

export type { OpenAIBehaviour } from './fake-openai-errors.js';

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
  /** `POST /v1/audio/transcriptions`: its own requests, transcripts and faults. */
  readonly audio: FakeTranscriptions;
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

/**
 * Starts a fake OpenAI API on 127.0.0.1 with a random port, serving `POST /v1/chat/completions`
 * and `POST /v1/audio/transcriptions` (see `fake-openai-audio.ts`). With `apiKey` set, any other
 * bearer key is rejected; otherwise any non-empty key is accepted.
 */
export async function startFakeOpenAI(options: { apiKey?: string } = {}): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = [];
  const queue: OpenAIBehaviour[] = [];
  const arrivals = new Set<() => void>();
  let fallback: OpenAIBehaviour | undefined;
  let router: ((body: ChatCompletionRequestBody) => OpenAIBehaviour | undefined) | undefined;
  let replyFn: (body: ChatCompletionRequestBody) => FakeReply | Promise<FakeReply> = defaultReply;
  let answered = 0;
  const audio = createFakeTranscriptions(options);

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, { ...ERRORS[500]!, message: String(error) });
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bytes = await readBody(req);
    const raw = bytes.toString('utf8');
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'POST' && path === '/v1/audio/transcriptions') return audio.serve(req, res, bytes);
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
    const refused = refuseKey(req, options.apiKey);
    if (refused) {
      record.outcome = 'failed';
      return sendError(res, refused.status, refused.error);
    }

    const behaviour = router?.(body) ?? queue.shift() ?? fallback;
    res.on('close', () => {
      record.outcome ??= 'aborted';
    });
    const fault = await misbehave(behaviour, req, res, body.model);
    if (fault === 'failed') record.outcome = 'failed';
    if (fault !== 'answer') return;
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
    audio,
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
