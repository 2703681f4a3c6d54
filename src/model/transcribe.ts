import OpenAI, { toFile } from 'openai';
import type { TranscriptionInclude } from 'openai/resources/audio/transcriptions';
import type { DownloadedMedia } from '../core/media.js';
import { ResponderError } from '../core/responder.js';
import { DeadlineError } from '../core/timing.js';
import { callModel } from './retry.js';
import { withAttemptSignal } from './attempt-signal.js';

/** How to reach the transcription model and how hard to try. */
export interface TranscriberOptions {
  /** An OpenAI SDK client; build it with `maxRetries: 0` (retries are decided here, under the deadline). */
  readonly client: OpenAI;
  /** e.g. `gpt-4o-mini-transcribe`. */
  readonly model: string;
  /** The customers' language, ISO-639-1 (`fr`): better accuracy and latency than detection. */
  readonly language: string;
  /** Words to expect (the shop's products, its delivery communes), read at every call: the catalogue changes. */
  readonly prompt?: () => string;
  /** One attempt longer than this is abandoned and retried (a hung socket). Default 20000. */
  readonly attemptTimeoutMs?: number;
  /** Provider failures (not 429s) retried per note at most. Default 4. */
  readonly maxFailures?: number;
  readonly now?: () => number;
}

/** What was heard. */
export interface Transcript {
  readonly text: string;
  /**
   * Mean log probability of the transcript's tokens, when the model gives them
   * (`gpt-4o-transcribe`, `gpt-4o-mini-transcribe`): how sure it was of what it heard.
   */
  readonly meanLogprob?: number;
}

/** The bounds of one transcription. */
export interface TranscribeOptions {
  /** Aborts the call and its retries (the turn gave up, or shutdown). */
  readonly signal: AbortSignal;
  /** No retry starts after this moment (epoch ms). */
  readonly giveUpAt: number;
}

/**
 * Why a note could not be transcribed: the provider's rate limit or failure (after the
 * retries the time allowed), a timeout, audio the provider refused (`bad_audio`), or a bug.
 */
export type TranscriptionErrorCode = 'rate_limit' | 'provider_error' | 'timeout' | 'bad_audio' | 'internal';

/** A transcription that did not happen. */
export class TranscriptionError extends Error {
  override readonly name = 'TranscriptionError';
  constructor(
    message: string,
    readonly code: TranscriptionErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Turns audio into text. */
export interface Transcriber {
  /** The model's name, for logs. */
  readonly model: string;
  transcribe(audio: DownloadedMedia, options: TranscribeOptions): Promise<Transcript>;
}

/** Only these models return log probabilities (the SDK's `include` documentation). */
const withLogprobs = /^gpt-4o(-mini)?-transcribe(?!-diarize)/;

/**
 * OpenAI's audio transcription endpoint (`/v1/audio/transcriptions`) through the SDK, retried
 * like the chat call (`callModel`): 429s honouring `retry-after` while `giveUpAt` leaves room,
 * 5xx, dropped and hung connections with backoff, at most `maxFailures` times. Not through the
 * chat model's gate: audio has its own rate limits at OpenAI.
 *
 * @example
 * const transcriber = createTranscriber({ client, model: 'gpt-4o-mini-transcribe', language: 'fr' });
 * const { text } = await transcriber.transcribe(audio, { signal, giveUpAt: Date.now() + 30_000 });
 */
export function createTranscriber(options: TranscriberOptions): Transcriber {
  const { client, model, language } = options;
  const now = options.now ?? Date.now;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 20_000;
  const include: TranscriptionInclude[] = withLogprobs.test(model) ? ['logprobs'] : [];

  return {
    model,
    async transcribe(audio, { signal, giveUpAt }) {
      const file = await toFile(audio.data, audio.fileName, { type: audio.mimeType });
      const prompt = options.prompt?.().trim();
      const attempt = () =>
        withAttemptSignal(signal, attemptTimeoutMs, (attemptSignal) =>
          client.audio.transcriptions.create(
            {
              file,
              model,
              language,
              response_format: 'json',
              ...(prompt && { prompt }),
              ...(include.length > 0 && { include }),
            },
            { signal: attemptSignal, maxRetries: 0, timeout: attemptTimeoutMs },
          ),
        );
      try {
        const window = { conversationKey: 'transcription', signal, giveUpAt, report: () => undefined };
        const result = await callModel(window, attempt, { maxFailures: options.maxFailures ?? 4, now });
        const logprobs = (result.logprobs ?? []).flatMap((token) => (typeof token.logprob === 'number' ? [token.logprob] : []));
        const meanLogprob = logprobs.length > 0 ? logprobs.reduce((sum, value) => sum + value, 0) / logprobs.length : undefined;
        return { text: result.text ?? '', ...(meanLogprob !== undefined && { meanLogprob }) };
      } catch (error) {
        throw asTranscriptionError(error, signal);
      }
    },
  };
}

function asTranscriptionError(error: unknown, signal: AbortSignal): TranscriptionError {
  if (error instanceof TranscriptionError) return error;
  if (error instanceof DeadlineError || signal.reason instanceof DeadlineError || signal.aborted) {
    return new TranscriptionError('transcription given up: the turn is over', 'timeout', { cause: error });
  }
  const cause = error instanceof ResponderError ? error.cause : error;
  // A 400 is the audio itself (format, length): trying again will not help.
  if (cause instanceof OpenAI.BadRequestError || cause instanceof OpenAI.UnprocessableEntityError) {
    return new TranscriptionError(`the provider refused the audio: ${cause.message}`, 'bad_audio', { cause: error });
  }
  if (error instanceof ResponderError) return new TranscriptionError(error.message, error.code, { cause: error });
  return new TranscriptionError(error instanceof Error ? error.message : String(error), 'internal', { cause: error });
}
