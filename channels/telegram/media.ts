import { GrammyError, HttpError } from 'grammy';
import type { File } from 'grammy/types';
import { MediaDownloadError, type DownloadedMedia, type DownloadMediaOptions } from '../../src/core/media.js';
import type { IncomingMessage } from '../../src/core/message.js';

/** Bots may download files of up to 20 MB (Bot API, `getFile`). */
export const TELEGRAM_FILE_LIMIT_BYTES = 20 * 1024 * 1024;

/** What a download needs from the channel. */
export interface TelegramFileClient {
  /** `bot.api.getFile`. */
  getFile(fileId: string, signal: AbortSignal): Promise<File>;
  /** `{apiRoot}/file/bot<token>/<file_path>`: holds the token, so it is never logged nor put in an error. */
  fileUrl(filePath: string): string;
  readonly fetch: typeof globalThis.fetch;
}

type Fields = Record<string, unknown>;
const isRecord = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The voice note's or audio file's `file_id`, size and type in a Telegram update (`message.raw`). */
export function telegramFileOf(update: unknown): { fileId: string; size?: number; mimeType?: string } | undefined {
  const message = isRecord(update) && isRecord(update.message) ? update.message : undefined;
  const file = message && (isRecord(message.voice) ? message.voice : isRecord(message.audio) ? message.audio : undefined);
  if (!file || typeof file.file_id !== 'string' || file.file_id === '') return undefined;
  return {
    fileId: file.file_id,
    ...(typeof file.file_size === 'number' && { size: file.file_size }),
    ...(typeof file.mime_type === 'string' && { mimeType: file.mime_type }),
  };
}

/**
 * Downloads a message's voice note or audio file: `getFile`, then the file itself from the
 * Bot API's file URL. A file over `maxBytes` (or Telegram's 20 MB) is refused before
 * downloading when its size is known, and the download stops as soon as it passes it.
 * Telegram names voice notes `.oga`; they are handed on as `.ogg`, which providers read.
 */
export async function downloadTelegramMedia(
  message: IncomingMessage,
  options: DownloadMediaOptions,
  client: TelegramFileClient,
): Promise<DownloadedMedia> {
  const { signal } = options;
  const maxBytes = Math.min(options.maxBytes, TELEGRAM_FILE_LIMIT_BYTES);
  const wanted = telegramFileOf(message.raw);
  if (!wanted) throw new MediaDownloadError('the message has no voice note or audio file', 'no_media');
  checkSize(wanted.size ?? message.media?.sizeBytes, maxBytes);
  let file: File;
  try {
    file = await client.getFile(wanted.fileId, signal);
  } catch (error) {
    signal.throwIfAborted();
    if (error instanceof GrammyError && /too big/i.test(error.description)) {
      throw new MediaDownloadError('Telegram says the file is too big to download', 'too_large', { cause: error });
    }
    const code = error instanceof GrammyError && error.error_code === 400 ? 'unavailable' : 'failed';
    throw new MediaDownloadError(`getFile failed: ${describe(error)}`, code, { cause: error });
  }
  checkSize(file.file_size, maxBytes);
  if (!file.file_path) throw new MediaDownloadError('Telegram gave no file_path for the file', 'unavailable');
  let response: Response;
  try {
    response = await client.fetch(client.fileUrl(file.file_path), { signal });
  } catch (error) {
    signal.throwIfAborted();
    throw new MediaDownloadError(`file download failed: ${describe(error)}`, 'failed', { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new MediaDownloadError(`file download answered HTTP ${response.status}`, response.status === 404 ? 'unavailable' : 'failed');
  }
  checkSize(Number(response.headers.get('content-length') ?? 0) || undefined, maxBytes);
  const data = await readCapped(response, maxBytes, signal);
  const name = file.file_path.split('/').pop() || 'voice.ogg';
  const fileName = name.replace(/\.oga$/i, '.ogg');
  return { data, fileName, mimeType: wanted.mimeType ?? mimeTypeOf(fileName) };
}

function checkSize(size: number | undefined, maxBytes: number): void {
  if (size !== undefined && size > maxBytes) throw new MediaDownloadError(`the file is ${size} bytes, over ${maxBytes}`, 'too_large');
}

/** Reads the body, stopping (and refusing) past `maxBytes`: a size header may be missing or wrong. */
async function readCapped(response: Response, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body ?? []) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw new MediaDownloadError(`the file is over ${maxBytes} bytes`, 'too_large');
      }
      chunks.push(chunk);
    }
  } catch (error) {
    signal.throwIfAborted();
    if (error instanceof MediaDownloadError) throw error;
    throw new MediaDownloadError(`file download cut short: ${describe(error)}`, 'failed', { cause: error });
  }
  return Buffer.concat(chunks);
}

function mimeTypeOf(fileName: string): string {
  const extension = fileName.split('.').pop()?.toLowerCase() ?? '';
  const types: Record<string, string> = { ogg: 'audio/ogg', mp3: 'audio/mpeg', m4a: 'audio/mp4', wav: 'audio/wav', flac: 'audio/flac', webm: 'audio/webm' };
  return types[extension] ?? 'application/octet-stream';
}

function describe(error: unknown): string {
  if (error instanceof HttpError) return 'Telegram could not be reached';
  return error instanceof Error ? error.message : String(error);
}
