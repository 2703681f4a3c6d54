/**
 * Voice notes: a customer who speaks is answered like one who writes. The reader the core
 * calls before the model (`EngineOptions.read`), wired from the configuration.
 */
import { join } from 'node:path';
import type OpenAI from 'openai';
import type { IncomingMessage } from '../core/message.js';
import type { MessageReader } from '../core/reader.js';
import type { Config } from '../infra/config/index.js';
import type { Logger } from '../infra/logger.js';
import type { Metrics } from '../infra/metrics.js';
import { createTranscriber } from '../model/transcribe.js';
import type { Catalogue } from '../shop/catalogue.js';
import type { ShopConfig } from '../shop/config.js';
import { keepAudioIn } from './keep.js';
import { createVoiceReader, type VoiceHeard } from './reader.js';
import { transcriptionPrompt } from './vocabulary.js';

export { createVoiceReader, TELEGRAM_DOWNLOAD_LIMIT_BYTES, type VoiceFailure, type VoiceHeard, type VoiceReaderOptions } from './reader.js';
export { frenchVoiceTexts, NO_KEY_TEXT, type VoiceTexts } from './texts.js';
export { keepAudioIn } from './keep.js';
export { oggOpusDurationSec } from './ogg.js';
export { transcriptionPrompt } from './vocabulary.js';

/** What {@link createVoice} needs besides the configuration. */
export interface VoiceDependencies {
  readonly config: Config;
  readonly shop: ShopConfig;
  readonly catalogue: Pick<Catalogue, 'snapshot'>;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The OpenAI client `main.ts` builds when `OPENAI_API_KEY` is set; without it, notes get the "write to me" line. */
  readonly openai?: OpenAI | undefined;
  /** Told what became of every note (the recorder, for the dashboard). */
  readonly onHeard?: (message: IncomingMessage, heard: VoiceHeard) => void;
}

/**
 * The voice reader as configured: OpenAI's transcription when there is a client (the shop's
 * language, a prompt with its communes and products), the "write to me" line otherwise.
 *
 * @example
 * createEngine({ ...options, read: createVoice({ config, shop, catalogue, metrics, logger, openai }) });
 */
export function createVoice(dependencies: VoiceDependencies): MessageReader {
  const { config, shop, catalogue, metrics, logger, openai } = dependencies;
  const transcriber = openai
    ? createTranscriber({
        client: openai,
        model: config.voice.transcribeModel,
        language: shop.language.split('-')[0]!.toLowerCase(),
        prompt: () => transcriptionPrompt(shop, catalogue.snapshot()),
      })
    : null;
  return createVoiceReader({
    transcriber,
    metrics,
    logger,
    maxSeconds: config.voice.maxSeconds,
    maxWaitMs: config.replyDeadlineMs + config.lateAnswerMs,
    ...(config.voice.keepAudio && { keepAudio: keepAudioIn(join(config.dataDir, 'voice')) }),
    ...(dependencies.onHeard && { onHeard: dependencies.onHeard }),
  });
}
