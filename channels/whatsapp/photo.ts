/** Why a product photo could not be fetched to send it. */
export class PhotoDownloadError extends Error {
  override readonly name = 'PhotoDownloadError';
  constructor(
    message: string,
    readonly code: 'http_status' | 'not_an_image' | 'too_large' | 'unreachable',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A downloaded picture, ready to wrap in a whatsapp-web.js `MessageMedia`. */
export interface DownloadedPhoto {
  readonly mimetype: string;
  readonly base64: string;
  readonly filename: string;
}

/** Limits and clients for {@link downloadPhoto}. */
export interface DownloadPhotoOptions {
  readonly fetch: typeof globalThis.fetch;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}

/**
 * Fetches a picture to upload it to WhatsApp. Unlike `MessageMedia.fromUrl`, it refuses an
 * error page (a 404 would otherwise be sent as a broken "image"), gives up after `timeoutMs`
 * and never reads more than `maxBytes`.
 */
export async function downloadPhoto(url: string, options: DownloadPhotoOptions): Promise<DownloadedPhoto> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  try {
    let response: Response;
    try {
      response = await options.fetch(url, { signal, headers: { accept: 'image/*' } });
    } catch (error) {
      throw new PhotoDownloadError(`photo unreachable: ${describe(error)}`, 'unreachable', { cause: error });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new PhotoDownloadError(`photo download answered HTTP ${response.status}`, 'http_status');
    }
    const mimetype = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!mimetype.startsWith('image/')) {
      await response.body?.cancel();
      throw new PhotoDownloadError(`photo download is not an image (${mimetype || 'no content-type'})`, 'not_an_image');
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > options.maxBytes) {
      await response.body?.cancel();
      throw new PhotoDownloadError(`photo is ${declared} bytes, over ${options.maxBytes}`, 'too_large');
    }
    let bytes: Buffer;
    try {
      bytes = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      throw new PhotoDownloadError(`photo download cut short: ${describe(error)}`, 'unreachable', { cause: error });
    }
    if (bytes.length > options.maxBytes) {
      throw new PhotoDownloadError(`photo is ${bytes.length} bytes, over ${options.maxBytes}`, 'too_large');
    }
    return { mimetype, base64: bytes.toString('base64'), filename: filenameOf(url, mimetype) };
  } finally {
    clearTimeout(timer);
  }
}

function filenameOf(url: string, mimetype: string): string {
  const last = new URL(url).pathname.split('/').pop() ?? '';
  return last.includes('.') ? last : `photo.${mimetype.slice('image/'.length) || 'jpg'}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
