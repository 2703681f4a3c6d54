/**
 * What a channel hands back when the core asks for a message's attachment (a voice note to
 * transcribe), and how it says it could not. Depends on nothing.
 */

/** An attachment's bytes, ready to upload elsewhere. */
export interface DownloadedMedia {
  readonly data: Uint8Array;
  /** e.g. `audio/ogg`. */
  readonly mimeType: string;
  /** A name whose extension says the format, e.g. `voice.ogg` (providers read the extension). */
  readonly fileName: string;
}

/** Limits of one download. */
export interface DownloadMediaOptions {
  /** Aborts the download (the turn's deadline passed, or shutdown). */
  readonly signal: AbortSignal;
  /** Larger files are refused, before downloading when the size is known in advance. */
  readonly maxBytes: number;
}

/**
 * Why an attachment could not be downloaded: `too_large` (over `maxBytes`, or the platform's
 * own limit), `unavailable` (expired, deleted, or never there), `failed` (the platform or the
 * network failed), `no_media` (the message has no attachment).
 */
export type MediaDownloadErrorCode = 'too_large' | 'unavailable' | 'failed' | 'no_media';

/** A download that did not happen; never carries a URL (a Telegram file URL holds the bot token). */
export class MediaDownloadError extends Error {
  override readonly name = 'MediaDownloadError';
  constructor(
    message: string,
    readonly code: MediaDownloadErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
