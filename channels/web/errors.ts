/** What went wrong in the web channel. */
export type WebChannelErrorCode = 'invalid_option' | 'invalid_photo_url' | 'invalid_link_url';

/** A web channel misconfiguration (at start-up) or a reply it cannot show. */
export class WebChannelError extends Error {
  override readonly name = 'WebChannelError';
  constructor(
    readonly code: WebChannelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
