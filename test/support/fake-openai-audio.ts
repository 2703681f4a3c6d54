import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { misbehave, refuseKey, sendError, sendJson, type OpenAIBehaviour } from './fake-openai-errors.js';
import { parseMultipartParts } from './http-util.js';

/** One transcription request the fake received, its audio byte for byte. */
export interface TranscriptionRequest {
  readonly model: string;
  readonly language?: string;
  readonly prompt?: string;
  readonly responseFormat?: string;
  readonly include: readonly string[];
  readonly file: { readonly filename: string; readonly contentType?: string; readonly data: Buffer };
  readonly headers: IncomingHttpHeaders;
  /** `Date.now()` at arrival. */
  readonly at: number;
  /** Unset while in flight. */
  outcome?: 'answered' | 'failed' | 'aborted';
}

/** What the audio says; `logprob` is given to every token when logprobs are asked for (default -0.05: sure). */
export type FakeTranscript = string | { readonly text: string; readonly logprob?: number };

/**
 * `POST /v1/audio/transcriptions` of the fake OpenAI, as the API reference
 * (https://platform.openai.com/docs/api-reference/audio/createTranscription) and the SDK's
 * `TranscriptionCreateParams` document it: multipart/form-data with `file` (flac, mp3, mp4,
 * mpeg, mpga, m4a, ogg, wav or webm, told by the file name), `model`, optional `language`,
 * `prompt`, `response_format` (only `json` for the gpt-4o transcribe models) and
 * `include[]=logprobs` (those models only); the answer is `{ text, logprobs?, usage }`.
 * Errors, 429s, latency and hangs are the chat endpoint's (`fake-openai-errors.ts`).
 */
export interface FakeTranscriptions {
  readonly requests: TranscriptionRequest[];
  /** Says what this exact audio says (by content); audio it does not know says nothing (`""`). */
  knows(audio: Uint8Array, transcript: FakeTranscript): void;
  /** Replaces the lookup by content. */
  setTranscript(transcribe: (request: TranscriptionRequest) => FakeTranscript): void;
  /** Queues one-shot behaviours, consumed one per request in order. */
  enqueue(...behaviours: OpenAIBehaviour[]): void;
  /** Behaviour used when the queue is empty (`undefined` to answer normally again). */
  setDefault(behaviour: OpenAIBehaviour | undefined): void;
  /** Resolves with `requests` once at least `n` have arrived. */
  waitForRequests(n: number, timeoutMs?: number): Promise<TranscriptionRequest[]>;
  /** @internal the fake OpenAI's router calls it. */
  serve(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
}

const FORMATS = ['flac', 'mp3', 'mp4', 'mpeg', 'mpga', 'm4a', 'ogg', 'wav', 'webm'];
const GPT_4O_TRANSCRIBE = /^gpt-4o(-mini)?-transcribe/;
const invalid = (message: string) => ({ message, type: 'invalid_request_error', code: null });

/** The transcription endpoint of one fake OpenAI (same key rule): `startFakeOpenAI` mounts it. */
export function createFakeTranscriptions(options: { apiKey?: string } = {}): FakeTranscriptions {
  const requests: TranscriptionRequest[] = [];
  const known = new Map<string, FakeTranscript>();
  const queue: OpenAIBehaviour[] = [];
  const arrivals = new Set<() => void>();
  let fallback: OpenAIBehaviour | undefined;
  const digest = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
  let transcribe = (request: TranscriptionRequest): FakeTranscript => known.get(digest(request.file.data)) ?? '';

  async function serve(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.startsWith('multipart/form-data')) return sendError(res, 400, invalid('Expected multipart/form-data.'));
    const parts = parseMultipartParts(contentType, body);
    const field = (name: string) => parts.find((part) => part.name === name && part.filename === undefined)?.data.toString('utf8');
    const file = parts.find((part) => part.name === 'file' && part.filename !== undefined);
    const model = field('model');
    if (!file || !model) return sendError(res, 400, invalid(`Missing required parameter: '${file ? 'model' : 'file'}'.`));
    const responseFormat = field('response_format');
    const language = field('language');
    const prompt = field('prompt');
    const record: TranscriptionRequest = {
      model,
      include: parts.filter((part) => part.name === 'include[]' || part.name === 'include').map((part) => part.data.toString('utf8')),
      file: { filename: file.filename!, data: file.data, ...(file.contentType && { contentType: file.contentType }) },
      headers: req.headers,
      at: Date.now(),
      ...(language !== undefined && { language }),
      ...(prompt !== undefined && { prompt }),
      ...(responseFormat !== undefined && { responseFormat }),
    };
    requests.push(record);
    for (const notify of arrivals) notify();
    const refused = refuseKey(req, options.apiKey);
    if (refused) {
      record.outcome = 'failed';
      return sendError(res, refused.status, refused.error);
    }
    const problem = validate(record);
    if (problem) {
      record.outcome = 'failed';
      return sendError(res, 400, invalid(problem));
    }
    res.on('close', () => {
      record.outcome ??= 'aborted';
    });
    const fault = await misbehave(queue.shift() ?? fallback, req, res, model);
    if (fault === 'failed') record.outcome = 'failed';
    if (fault !== 'answer' || record.outcome) return;
    const said = transcribe(record);
    const { text, logprob = -0.05 } = typeof said === 'string' ? { text: said } : said;
    record.outcome = 'answered';
    const words = text.match(/\S+\s*/g) ?? [];
    const logprobs = record.include.includes('logprobs')
      ? words.map((token) => ({ token, logprob, bytes: [...Buffer.from(token)] }))
      : undefined;
    // Roughly what OpenAI bills: audio tokens in, text tokens out (whisper-1 bills seconds).
    const audioTokens = Math.ceil(record.file.data.byteLength / 100);
    const usage = GPT_4O_TRANSCRIBE.test(model)
      ? { type: 'tokens', input_tokens: audioTokens, output_tokens: words.length, total_tokens: audioTokens + words.length, input_token_details: { audio_tokens: audioTokens, text_tokens: 0 } }
      : { type: 'duration', seconds: Math.ceil(record.file.data.byteLength / 1500) };
    sendJson(res, 200, { text, ...(logprobs && { logprobs }), usage });
  }

  return {
    requests,
    knows(audio, transcript) {
      known.set(digest(audio), transcript);
    },
    setTranscript(fn) {
      transcribe = fn;
    },
    enqueue(...behaviours) {
      queue.push(...behaviours);
    },
    setDefault(behaviour) {
      fallback = behaviour;
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
          reject(new Error(`fake-openai: expected ${n} transcription requests within ${timeoutMs} ms, got ${requests.length}`));
        }, timeoutMs);
        arrivals.add(check);
        check();
      });
    },
    serve,
  };
}

/** The 400s the real endpoint answers for a bad request, worded like its messages. */
function validate(request: TranscriptionRequest): string | undefined {
  const extension = /\.([a-z0-9]+)$/i.exec(request.file.filename)?.[1]?.toLowerCase() ?? '';
  if (!FORMATS.includes(extension)) {
    return `Invalid file format. Supported formats: ${JSON.stringify(FORMATS).replace(/"/g, "'").replace(/,/g, ', ')}`;
  }
  if (extension === 'ogg' && request.file.data.subarray(0, 4).toString('latin1') !== 'OggS') {
    return 'Audio file might be corrupted or unsupported';
  }
  const gpt4o = GPT_4O_TRANSCRIBE.test(request.model);
  if (gpt4o && request.responseFormat !== undefined && request.responseFormat !== 'json') {
    return `response_format '${request.responseFormat}' is not compatible with model '${request.model}'. Use 'json'.`;
  }
  if (!gpt4o && request.include.includes('logprobs')) return `logprobs are not supported with model '${request.model}'.`;
  return undefined;
}
