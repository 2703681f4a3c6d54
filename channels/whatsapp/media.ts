import { MediaDownloadError, type DownloadedMedia, type DownloadMediaOptions } from '../../src/core/media.js';
import type { IncomingMessage } from '../../src/core/message.js';
import type { WhatsAppMessage } from './client.js';

/** Names for media WhatsApp sends without one (voice notes never have a file name). */
const extensions: Readonly<Record<string, string>> = {
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'audio/wav': 'wav',
  'audio/webm': 'webm',
};

/**
 * Downloads a message's media through whatsapp-web.js (`Message.downloadMedia()`, which asks
 * WhatsApp Web in the browser). A message taken back from the journal after a restart is plain
 * data: it is looked up again by id (`findMessage`). Refused when larger than `maxBytes`
 * (before downloading when WhatsApp gave the size); abandoned when `signal` aborts.
 */
export async function downloadWhatsAppMedia(
  message: IncomingMessage,
  options: DownloadMediaOptions,
  findMessage: (messageId: string, signal: AbortSignal) => Promise<Pick<WhatsAppMessage, 'downloadMedia'> | null | undefined>,
): Promise<DownloadedMedia> {
  const { signal, maxBytes } = options;
  checkSize(message.media?.sizeBytes, maxBytes);
  const raw = message.raw as Partial<WhatsAppMessage> | undefined;
  try {
    const live = typeof raw?.downloadMedia === 'function' ? raw : await findMessage(message.messageId, signal);
    if (!live?.downloadMedia) throw new MediaDownloadError('the message is no longer in WhatsApp Web', 'unavailable');
    const media = await untilAborted(live.downloadMedia(), signal);
    // whatsapp-web.js gives nothing back for media that expired or failed to download.
    if (!media) throw new MediaDownloadError('WhatsApp could not give the media (expired or failed)', 'unavailable');
    checkSize(media.filesize ?? undefined, maxBytes);
    const data = Buffer.from(media.data, 'base64');
    checkSize(data.byteLength, maxBytes);
    const mimeType = media.mimetype.split(';')[0]!.trim().toLowerCase();
    const fileName = media.filename || `voice.${extensions[mimeType] ?? 'ogg'}`;
    return { data, mimeType, fileName };
  } catch (error) {
    signal.throwIfAborted();
    if (error instanceof MediaDownloadError) throw error;
    throw new MediaDownloadError(`WhatsApp media download failed: ${error instanceof Error ? error.message : String(error)}`, 'failed', {
      cause: error,
    });
  }
}

function checkSize(size: number | undefined, maxBytes: number): void {
  if (size !== undefined && size > maxBytes) throw new MediaDownloadError(`the media is ${size} bytes, over ${maxBytes}`, 'too_large');
}

/** `work`, or the signal's reason as soon as it aborts: a browser call cannot be cancelled. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
