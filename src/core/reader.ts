/**
 * Reading a message before the model sees it: a voice note becomes its transcript, or a short
 * polite refusal when it cannot be heard. The core knows only this shape; `src/voice` does it.
 */
import type { Channel } from './channel.js';
import type { IncomingMessage } from './message.js';

/** The words the model should see, or the line the customer gets instead of an answer. */
export type ReadResult = { readonly text: string } | { readonly refusal: string };

/**
 * Reads one message under `signal` (aborted when the turn gives up, or at shutdown). Never
 * rejects for a bad or unreadable message: that is a `refusal`. A message with nothing to read
 * passes through as `{ text: message.text }`.
 */
export type MessageReader = (message: IncomingMessage, channel: Channel, signal: AbortSignal) => Promise<ReadResult>;

/** True for what a reader turns into words: voice notes and audio files. */
export function isSpoken(message: Pick<IncomingMessage, 'kind'>): boolean {
  return message.kind === 'voice' || message.kind === 'audio';
}

/**
 * `work`, or the signal's reason as soon as it aborts, whichever comes first: a turn waiting
 * for its voice notes stops waiting when it ends, even if a reader does not listen.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // Already given up: its own outcome no longer matters, and must not surface as unhandled.
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
