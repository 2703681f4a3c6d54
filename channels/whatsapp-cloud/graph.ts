import { GraphApiError, WhatsAppCloudError, isRecord } from './errors.js';

/** Where and how to call the Graph API. */
export interface GraphClientOptions {
  /** e.g. `https://graph.facebook.com`, without a trailing slash. */
  readonly apiRoot: string;
  /** e.g. `v26.0`. */
  readonly apiVersion: string;
  readonly accessToken: string;
  readonly phoneNumberId: string;
  readonly fetch: typeof globalThis.fetch;
  /** One HTTP call gives up after this long (a hung socket), as a retryable failure. */
  readonly attemptTimeoutMs: number;
}

/** The few Graph API calls the channel makes, one attempt each; retries are the caller's. */
export interface GraphClient {
  /**
   * `POST /{version}/{phone-number-id}/messages`: a message, or a read receipt with the typing
   * indicator. Resolves with the new message's id (`wamid.…`) when Meta gives one.
   */
  postMessage(body: Readonly<Record<string, unknown>>, signal?: AbortSignal): Promise<string | undefined>;
  /** `GET /{version}/{node}` with query fields; the JSON object it returns. */
  getNode(node: string, query: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<Record<string, unknown>>;
  /** Downloads a media URL with the token, refusing more than `maxBytes`. */
  download(url: string, maxBytes: number, signal?: AbortSignal): Promise<Buffer>;
}

/**
 * A Graph API client on plain `fetch` (injectable): the token goes in the `Authorization`
 * header, never in a URL, so it cannot end up in a log line or a proxy's access log.
 */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  const base = `${options.apiRoot}/${options.apiVersion}`;
  const authorization = `Bearer ${options.accessToken}`;

  return {
    async postMessage(body, signal) {
      const url = `${base}/${encodeURIComponent(options.phoneNumberId)}/messages`;
      const json = await call(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }, signal);
      const [first] = Array.isArray(json.messages) ? json.messages : [];
      return isRecord(first) && typeof first.id === 'string' ? first.id : undefined;
    },

    getNode(node, query, signal) {
      const search = new URLSearchParams(query).toString();
      return call(`${base}/${encodeURIComponent(node)}${search ? `?${search}` : ''}`, { method: 'GET' }, signal);
    },

    download(url, maxBytes, signal) {
      return attempt(signal, async (attemptSignal) => {
        const response = await options.fetch(url, { headers: { authorization }, signal: attemptSignal });
        if (!response.ok) throw GraphApiError.fromResponse(response.status, await readJson(response));
        return readCapped(response, maxBytes);
      });
    },
  };

  function call(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
    return attempt(signal, async (attemptSignal) => {
      const headers = { ...(init.headers as Record<string, string> | undefined), authorization };
      const response = await options.fetch(url, { ...init, headers, signal: attemptSignal });
      const json = await readJson(response);
      if (!response.ok || isRecord(json.error)) throw GraphApiError.fromResponse(response.status, json);
      return json;
    });
  }

  /** Runs one HTTP exchange under the caller's signal and the attempt timeout; the timer is always cleared. */
  async function attempt<T>(signal: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    signal?.throwIfAborted();
    const controller = new AbortController();
    const timedOut = new GraphApiError(`Graph API did not answer within ${options.attemptTimeoutMs} ms`, 0, 0);
    const timer = setTimeout(() => controller.abort(timedOut), options.attemptTimeoutMs);
    const forward = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', forward, { once: true });
    try {
      return await run(controller.signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (controller.signal.reason === timedOut) throw timedOut;
      if (error instanceof GraphApiError || error instanceof WhatsAppCloudError) throw error;
      throw new GraphApiError(`Graph API unreachable: ${error instanceof Error ? error.message : String(error)}`, 0, 0, undefined, undefined, { cause: error });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    }
  }
}

async function readJson(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  try {
    const json: unknown = JSON.parse(text);
    return isRecord(json) ? json : {};
  } catch {
    return {};
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new WhatsAppCloudError('media_too_large', `media of ${declared} bytes is over the ${maxBytes}-byte limit`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new WhatsAppCloudError('media_too_large', `media is over the ${maxBytes}-byte limit`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
