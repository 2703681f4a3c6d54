import { createHash } from 'node:crypto';
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
