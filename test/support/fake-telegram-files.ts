import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { File } from 'grammy/types';
import { sleepUnlessClosed } from './http-util.js';

/**
 * Files of the fake Bot API, as https://core.telegram.org/bots/api#getfile describes them:
 * `getFile` returns a `File` (`file_id`, `file_unique_id`, `file_size`, `file_path`) for files
 * up to 20 MB and "Bad Request: file is too big" beyond; the bytes are then downloaded from
 * `https://api.telegram.org/file/bot<token>/<file_path>` (an unknown path is a 404). Voice notes
 * live under `voice/` with Telegram's `.oga` extension.
 */
export interface FakeTelegramFiles {
  /**
   * Stores a file: its bytes, or only a size (a file too big to download, never allocated).
   * Returns the `file_id` and size to put in a message's `voice` / `audio`.
   */
  add(content: Uint8Array | { size: number }, options?: { path?: string }): { file_id: string; file_unique_id: string; file_size: number };
  /** `file_path`s downloaded so far, in order. */
  readonly downloads: readonly string[];
  /** The next download answers this status, never answers (`hang`), or drops the socket (`reset`). */
  failNextDownload(failure: 404 | 500 | 'hang' | 'reset'): void;
  /** Delays every download by `ms` (0 to reset). */
  setDownloadLatency(ms: number): void;
}

/** The fake's side of {@link FakeTelegramFiles}. */
export interface FakeTelegramFileServer extends FakeTelegramFiles {
  /** `getFile`: the `File`, or the Bot API's error. */
  getFile(params: Record<string, unknown>): { ok: true; result: File } | { ok: false; status: 400; description: string };
  /** Serves `GET /file/bot<token>/<path>`; false when the URL is not a file URL. */
  serve(pathname: string, token: string, res: ServerResponse): Promise<boolean>;
}

/** Telegram's limit for bots (https://core.telegram.org/bots/api#getfile). */
const DOWNLOAD_LIMIT = 20 * 1024 * 1024;

interface Stored {
  readonly file: File;
  readonly data?: Uint8Array;
}

/** The files of one fake Bot API: `startFakeTelegram` mounts it. */
export function createFakeTelegramFiles(): FakeTelegramFileServer {
  const byId = new Map<string, Stored>();
  const byPath = new Map<string, Stored>();
  const downloads: string[] = [];
  const failures: (404 | 500 | 'hang' | 'reset')[] = [];
  let latencyMs = 0;
  let next = 0;

  return {
    downloads,
    add(content, options = {}) {
      next += 1;
      const data = content instanceof Uint8Array ? content : undefined;
      const size = data ? data.byteLength : (content as { size: number }).size;
      const file: File = {
        file_id: `AwACAgQAAxkBAAI${next}${randomBytes(12).toString('base64url')}`,
        file_unique_id: `AgAD${next}${randomBytes(4).toString('hex')}`,
        file_size: size,
        file_path: options.path ?? `voice/file_${next}.oga`,
      };
      const stored = { file, ...(data && { data }) };
      byId.set(file.file_id, stored);
      byPath.set(file.file_path!, stored);
      return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: size };
    },
    failNextDownload(failure) {
      failures.push(failure);
    },
    setDownloadLatency(ms) {
      latencyMs = ms;
    },
    getFile(params) {
      const stored = typeof params.file_id === 'string' ? byId.get(params.file_id) : undefined;
      if (!stored) return { ok: false, status: 400, description: 'Bad Request: invalid file_id' };
      if ((stored.file.file_size ?? 0) > DOWNLOAD_LIMIT) return { ok: false, status: 400, description: 'Bad Request: file is too big' };
      return { ok: true, result: stored.file };
    },
    async serve(pathname, token, res) {
      const prefix = `/file/bot${token}/`;
      if (!pathname.startsWith('/file/')) return false;
      const path = pathname.startsWith(prefix) ? decodeURIComponent(pathname.slice(prefix.length)) : undefined;
      if (latencyMs > 0 && !(await sleepUnlessClosed(latencyMs, res))) return true;
      const failure = failures.shift();
      if (failure === 'hang') return true;
      if (failure === 'reset') {
        res.socket?.destroy();
        return true;
      }
      const stored = path === undefined ? undefined : byPath.get(path);
      if (failure !== undefined || !stored?.data) {
        const status = failure ?? 404;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: status, description: status === 404 ? 'Not Found' : 'Internal Server Error' }));
        return true;
      }
      downloads.push(path!);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(stored.data.byteLength) });
      res.end(stored.data);
      return true;
    },
  };
}
