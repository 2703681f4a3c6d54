import { createHash } from 'node:crypto';
import { MediaDownloadError, type DownloadMediaOptions, type DownloadedMedia as MessageMedia } from '../../src/core/media.js';
import type { IncomingMessage } from '../../src/core/message.js';
import { WhatsAppCloudError } from './errors.js';
import type { GraphClient } from './graph.js';

/** A customer's media file, downloaded. */
export interface DownloadedMedia {
  readonly data: Buffer;
  /** e.g. `audio/ogg; codecs=opus` for a voice note, `image/jpeg` for a photo. */
  readonly mimeType: string;
}

/** Hosts Meta serves media from; the token is sent nowhere else. */
const META_MEDIA_HOSTS = ['.fbsbx.com', '.facebook.com', '.fbcdn.net', '.whatsapp.net'];

/**
 * Downloads a media file a customer sent (a voice note's `raw.audio.id`, a photo's
 * `raw.image.id`) in Meta's two steps: `GET /{version}/{media-id}` gives a short-lived URL
 * (about 5 minutes), which is then fetched with the same token. The file is refused when it is
 * larger than `maxBytes`, when the URL is not Meta's (the token would leak), or when its
 * SHA-256 is not the one Meta announced.
 * Reference: https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media/
 */
export async function downloadMedia(
  graph: GraphClient,
  mediaId: string,
  options: { phoneNumberId: string; apiRoot: string; maxBytes: number; signal?: AbortSignal },
): Promise<DownloadedMedia> {
  const node = await graph.getNode(mediaId, { phone_number_id: options.phoneNumberId }, options.signal);
  const url = typeof node.url === 'string' ? node.url : '';
  const mimeType = typeof node.mime_type === 'string' ? node.mime_type : 'application/octet-stream';
  if (Number(node.file_size) > options.maxBytes) {
    throw new WhatsAppCloudError('media_too_large', `media of ${Number(node.file_size)} bytes is over the ${options.maxBytes}-byte limit`);
  }
  if (!isMetaUrl(url, options.apiRoot)) {
    throw new WhatsAppCloudError('media_untrusted_url', 'the media URL Meta gave is not on one of its hosts; not sending the token there');
  }
  const data = await graph.download(url, options.maxBytes, options.signal);
  if (!matchesSha256(data, node.sha256)) throw new WhatsAppCloudError('media_corrupt', 'the media file does not match the SHA-256 Meta announced');
  return { data, mimeType };
}

/**
 * The core's `Channel.downloadMedia` on the Cloud API: the media id is in the message's payload
 * (`audio.id` for a voice note), the file is fetched by `byId`, and Meta's refusals become the
 * core's {@link MediaDownloadError} (`too_large` before downloading: Meta gives the size first).
 * The type loses its parameters (`audio/ogg; codecs=opus` → `audio/ogg`) and the file gets a
 * name whose extension says the format, as transcription services read it.
 */
export async function downloadMessageMedia(
  message: IncomingMessage,
  options: DownloadMediaOptions,
  byId: (mediaId: string, maxBytes: number, signal: AbortSignal) => Promise<DownloadedMedia>,
): Promise<MessageMedia> {
  const raw = message.raw as Record<string, unknown> | null;
  const body = raw && typeof raw.type === 'string' ? raw[raw.type] : undefined;
  const mediaId = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).id : undefined;
  if (typeof mediaId !== 'string' || mediaId === '') throw new MediaDownloadError('the message has no media id', 'no_media');
  try {
    const { data, mimeType } = await byId(mediaId, options.maxBytes, options.signal);
    const bare = mimeType.split(';')[0]!.trim().toLowerCase();
    const extension = { 'audio/ogg': 'ogg', 'audio/mpeg': 'mp3', 'audio/mp4': 'm4a', 'audio/aac': 'aac', 'audio/amr': 'amr' }[bare] ?? bare.split('/')[1] ?? 'bin';
    return { data, mimeType: bare, fileName: `${message.kind === 'voice' ? 'voice' : 'media'}.${extension}` };
  } catch (error) {
    options.signal.throwIfAborted();
    const tooLarge = error instanceof WhatsAppCloudError && error.code === 'media_too_large';
    throw new MediaDownloadError(`Cloud API media download failed: ${error instanceof Error ? error.message : String(error)}`, tooLarge ? 'too_large' : 'failed', {
      cause: error,
    });
  }
}

function isMetaUrl(url: string, apiRoot: string): boolean {
  try {
    const parsed = new URL(url);
    if (parsed.origin === new URL(apiRoot).origin) return true;
    return parsed.protocol === 'https:' && META_MEDIA_HOSTS.some((host) => parsed.hostname.endsWith(host));
  } catch {
    return false;
  }
}

/** Meta gives the hash in hex in some answers and base64 in others; both are accepted. Absent: nothing to check. */
function matchesSha256(data: Buffer, announced: unknown): boolean {
  if (typeof announced !== 'string' || announced === '') return true;
  const hash = createHash('sha256').update(data).digest();
  return announced.toLowerCase() === hash.toString('hex') || announced === hash.toString('base64');
}
