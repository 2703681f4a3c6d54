import type { Channel } from '../core/channel.js';
import { MediaDownloadError, type DownloadedMedia } from '../core/media.js';
import type { IncomingMessage } from '../core/message.js';
import { isSpoken, type MessageReader, type ReadResult } from '../core/reader.js';
import { pseudonym, type Logger } from '../infra/logger.js';
import type { Metrics } from '../infra/metrics.js';
import { TranscriptionError, type Transcriber, type Transcript } from '../model/transcribe.js';
import { oggOpusDurationSec } from './ogg.js';
import { frenchVoiceTexts, type VoiceTexts } from './texts.js';

/** Telegram bots may download files up to 20 MB (Bot API, `getFile`). */
export const TELEGRAM_DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024;

/** Why a voice note got a refusal instead of being heard (the `reason` of `akwaba_voice_failures_total`). */
export type VoiceFailure =
  | 'no_key'
  | 'too_long'
  | 'too_large'
  | 'download_failed'
  | 'unintelligible'
  | TranscriptionError['code'];

/** What became of a voice note, for the owner's records: its transcript, or why there is none. */
export interface VoiceHeard {
  readonly durationSec?: number;
  readonly transcript?: string;
  readonly failure?: VoiceFailure;
}

/** Options of {@link createVoiceReader}. */
export interface VoiceReaderOptions {
  /** `null` without an OpenAI key: every note gets {@link VoiceTexts.noKey}. */
  readonly transcriber: Transcriber | null;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Longer notes are not downloaded (`VOICE_MAX_SECONDS`). */
  readonly maxSeconds: number;
  /** Larger files are not downloaded. Default (and at most, on Telegram) 20 MB. */
  readonly maxBytes?: number;
  /**
   * How long retries may go on for one note (epoch ms from the start of its transcription);
   * the turn's signal ends it sooner. Use the reply deadline plus the late-answer window.
   */
  readonly maxWaitMs: number;
  /**
   * Transcripts whose mean token log probability is below this are taken as unintelligible
   * (models that give them). Default -1.2: on average under a 30 % chance per token.
   */
  readonly minMeanLogprob?: number;
  readonly texts?: VoiceTexts;
  /** Keeps the audio (`VOICE_KEEP_AUDIO`); without it, the bytes live in memory only, for the call. */
  readonly keepAudio?: (message: IncomingMessage, audio: DownloadedMedia) => Promise<void>;
  /** Told what became of every note (the dashboard shows "🎤 0:07 — « … »"); must not throw. */
  readonly onHeard?: (message: IncomingMessage, heard: VoiceHeard) => void;
  readonly now?: () => number;
}

/**
 * Transcriptions that are not what the customer said: what speech models are known to write
 * over silence or noise (subtitle credits, "thanks for watching").
 */
const NOT_SPEECH = [/sous-titr/i, /amara\.org/i, /merci d'avoir regardé/i, /abonnez-vous/i, /^\W*(musique|silence|rires?)\W*$/i];

/**
 * The reader the core calls before the model: a voice note or audio file is checked against
 * the limits, downloaded through its channel, transcribed, and its transcript is what the
 * model and the history see. Whatever goes wrong (too long, unreachable, unintelligible, no
 * key, the provider failing) ends in a short polite French refusal, never in silence. Only the
 * turn's end (its signal) rejects, so the core sends the fallback as for a slow model.
 * Anything else passes through as its text.
 *
 * @example
 * createEngine({ ...options, read: createVoiceReader({ transcriber, metrics, logger, maxSeconds: 120, maxWaitMs: 53_000 }) });
 */
export function createVoiceReader(options: VoiceReaderOptions): MessageReader {
  const { transcriber, metrics, logger } = options;
  const now = options.now ?? Date.now;
  const maxBytes = Math.min(options.maxBytes ?? TELEGRAM_DOWNLOAD_LIMIT_BYTES, TELEGRAM_DOWNLOAD_LIMIT_BYTES);
  const minMeanLogprob = options.minMeanLogprob ?? -1.2;
  const texts = options.texts ?? frenchVoiceTexts(options.maxSeconds);

  function tell(message: IncomingMessage, heard: VoiceHeard): void {
    try {
      options.onHeard?.(message, heard);
    } catch (error) {
      logger.error({ err: error }, 'voice: records not told');
    }
  }

  function refuse(message: IncomingMessage, failure: VoiceFailure, durationSec: number | undefined, error?: unknown): ReadResult {
    metrics.voiceFailures.inc({ reason: failure });
    const log = failure === 'internal' ? logger.error : logger.warn;
    log.call(logger, { chat: `${message.channel}:${pseudonym(message.chatId)}`, reason: failure, ...(error !== undefined && { err: error }) }, 'voice note not heard');
    tell(message, { failure, ...(durationSec !== undefined && { durationSec }) });
    const text = {
      no_key: texts.noKey,
      too_long: texts.tooLong,
      too_large: texts.tooLong,
      download_failed: texts.downloadFailed,
      unintelligible: texts.notUnderstood,
      bad_audio: texts.notUnderstood,
      rate_limit: texts.unavailable,
      provider_error: texts.unavailable,
      timeout: texts.unavailable,
      internal: texts.unavailable,
    }[failure];
    return { refusal: text };
  }

  async function download(message: IncomingMessage, channel: Channel, signal: AbortSignal): Promise<DownloadedMedia | VoiceFailure> {
    if (!channel.downloadMedia) return 'download_failed';
    try {
      return await channel.downloadMedia(message, { signal, maxBytes });
    } catch (error) {
      signal.throwIfAborted();
      if (error instanceof MediaDownloadError && error.code === 'too_large') return 'too_large';
      logger.warn({ err: error, chat: `${message.channel}:${pseudonym(message.chatId)}` }, 'voice: download failed');
      return 'download_failed';
    }
  }

  async function transcribe(
    model: Transcriber,
    audio: DownloadedMedia,
    durationSec: number | undefined,
    signal: AbortSignal,
  ): Promise<Transcript> {
    const started = now();
    try {
      const transcript = await model.transcribe(audio, { signal, giveUpAt: started + options.maxWaitMs });
      metrics.transcriptionLatency.observe({ outcome: 'ok' }, (now() - started) / 1000);
      return transcript;
    } catch (error) {
      metrics.transcriptionLatency.observe({ outcome: 'error' }, (now() - started) / 1000);
      throw error;
    } finally {
      // Billed whether or not the answer came back in time.
      if (durationSec !== undefined) metrics.transcribedSeconds.inc(durationSec);
    }
  }

  async function hear(message: IncomingMessage, channel: Channel, signal: AbortSignal): Promise<ReadResult> {
    const declared = message.media?.durationSec;
    if (!transcriber) return refuse(message, 'no_key', declared);
    if (declared !== undefined && declared > options.maxSeconds) return refuse(message, 'too_long', declared);
    if ((message.media?.sizeBytes ?? 0) > maxBytes) return refuse(message, 'too_large', declared);
    const audio = await download(message, channel, signal);
    if (typeof audio === 'string') return refuse(message, audio, declared);
    const durationSec = declared ?? oggOpusDurationSec(audio.data);
    if (durationSec !== undefined && durationSec > options.maxSeconds) return refuse(message, 'too_long', durationSec);
    // Written while the note is transcribed; done by the time it is answered.
    const kept = options.keepAudio?.(message, audio).catch((error: unknown) => logger.error({ err: error }, 'voice: audio not kept'));
    let transcript: Transcript;
    try {
      transcript = await transcribe(transcriber, audio, durationSec, signal);
    } catch (error) {
      signal.throwIfAborted();
      return refuse(message, error instanceof TranscriptionError ? error.code : 'internal', durationSec, error);
    } finally {
      await kept;
    }
    const text = transcript.text.replace(/\s+/g, ' ').trim();
    const unsure = transcript.meanLogprob !== undefined && transcript.meanLogprob < minMeanLogprob;
    // Digits alone are words here: a phone number said in answer to "votre numéro ?".
    if (!/[\p{L}\p{N}]/u.test(text) || unsure || NOT_SPEECH.some((pattern) => pattern.test(text))) {
      return refuse(message, 'unintelligible', durationSec);
    }
    tell(message, { transcript: text, ...(durationSec !== undefined && { durationSec }) });
    return { text };
  }

  return async function read(message, channel, signal) {
    if (!isSpoken(message)) return { text: message.text };
    metrics.voiceNotes.inc({ channel: message.channel, kind: message.kind });
    try {
      return await hear(message, channel, signal);
    } catch (error) {
      if (!signal.aborted) return refuse(message, 'internal', message.media?.durationSec, error);
      // The turn is over: the core sends the fallback (or gives up) as for a slow model.
      metrics.voiceFailures.inc({ reason: 'timeout' });
      tell(message, { failure: 'timeout', ...(message.media?.durationSec !== undefined && { durationSec: message.media.durationSec }) });
      throw signal.reason;
    }
  };
}
