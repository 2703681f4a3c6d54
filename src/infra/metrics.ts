import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The Prometheus metrics of one akwaba process, on their own registry. */
export interface Metrics {
  readonly registry: Registry;
  readonly messagesReceived: Counter<'channel' | 'kind'>;
  readonly duplicatesDropped: Counter<'channel'>;
  readonly replies: Counter<'channel' | 'kind'>;
  readonly fallbacks: Counter<'channel' | 'reason'>;
  readonly sendFailures: Counter<'channel'>;
  readonly modelLatency: Histogram<'outcome'>;
  readonly firstResponse: Histogram<'channel' | 'kind'>;
  readonly typingDelay: Histogram<'channel'>;
  /** Voice notes and audio files received (`src/voice`). */
  readonly voiceNotes: Counter<'channel' | 'kind'>;
  /** Time one transcription took, retries included, by outcome (`ok`, `error`). */
  readonly transcriptionLatency: Histogram<'outcome'>;
  /** Seconds of audio sent for transcription: what the provider bills. */
  readonly transcribedSeconds: Counter;
  /** Voice notes answered with a refusal instead of being heard, by reason. */
  readonly voiceFailures: Counter<'reason'>;
}

const fastBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const humanBuckets = [0.25, 0.5, 1, 2, 4, 6, 8, 10, 15, 20, 30, 45, 60];

/** Creates the metrics; `defaults` adds Node's process metrics (CPU, memory, event loop). */
export function createMetrics(options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry, prefix: 'akwaba_' });
  const registers = [registry];
  const metrics: Metrics = {
    registry,
    messagesReceived: new Counter({
      name: 'akwaba_messages_received_total',
      help: 'Customer messages received, by channel and kind.',
      labelNames: ['channel', 'kind'],
      registers,
    }),
    duplicatesDropped: new Counter({
      name: 'akwaba_duplicate_messages_total',
      help: 'Customer messages dropped because they had already been received.',
      labelNames: ['channel'],
      registers,
    }),
    replies: new Counter({
      name: 'akwaba_replies_total',
      help: 'Messages sent to customers, by kind (answer, late_answer, catalogue_answer, fallback, unavailable, unsupported).',
      labelNames: ['channel', 'kind'],
      registers,
    }),
    fallbacks: new Counter({
      name: 'akwaba_fallbacks_total',
      help: 'Fallback messages sent, by reason (timeout, rate_limit, provider_error, internal).',
      labelNames: ['channel', 'reason'],
      registers,
    }),
    sendFailures: new Counter({
      name: 'akwaba_send_failures_total',
      help: 'Replies the channel failed to deliver.',
      labelNames: ['channel'],
      registers,
    }),
    modelLatency: new Histogram({
      name: 'akwaba_model_latency_seconds',
      help: 'Time the responder took for a turn, retries included, by outcome.',
      labelNames: ['outcome'],
      buckets: humanBuckets,
      registers,
    }),
    firstResponse: new Histogram({
      name: 'akwaba_time_to_first_response_seconds',
      help: 'Time from receiving a customer message to the first message sent back, by what it was.',
      labelNames: ['channel', 'kind'],
      buckets: humanBuckets,
      registers,
    }),
    typingDelay: new Histogram({
      name: 'akwaba_typing_delay_seconds',
      help: 'Time from receiving a customer message to the typing indicator being requested.',
      labelNames: ['channel'],
      buckets: fastBuckets,
      registers,
    }),
    voiceNotes: new Counter({
      name: 'akwaba_voice_notes_total',
      help: 'Voice notes and audio files received from customers, by channel and kind (voice, audio).',
      labelNames: ['channel', 'kind'],
      registers,
    }),
    transcriptionLatency: new Histogram({
      name: 'akwaba_transcription_latency_seconds',
      help: 'Time one voice note took to transcribe, retries included, by outcome (ok, error).',
      labelNames: ['outcome'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 4, 6, 8, 10, 15, 20, 30, 45],
      registers,
    }),
    transcribedSeconds: new Counter({
      name: 'akwaba_transcribed_audio_seconds_total',
      help: 'Seconds of audio sent for transcription (what OpenAI bills, by the minute).',
      registers,
    }),
    voiceFailures: new Counter({
      name: 'akwaba_voice_failures_total',
      help: 'Voice notes answered with a polite refusal instead of being heard, by reason (no_key, too_long, too_large, download_failed, unintelligible, rate_limit, provider_error, timeout, bad_audio, internal).',
      labelNames: ['reason'],
      registers,
    }),
  };
  return metrics;
}
