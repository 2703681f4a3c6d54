/**
 * A fake of Meta's Graph API for the WhatsApp Cloud API on 127.0.0.1, following Meta's documented
 * requests, responses and errors:
 * - messages: https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/
 *   (`POST /{version}/{phone-number-id}/messages` → `{ messaging_product, contacts, messages: [{ id }] }`)
 * - typing indicator: .../whatsapp/typing-indicators/ (`status: read` + `typing_indicator`, `{ success: true }`)
 * - media: `GET /{version}/{media-id}` → `{ url, mime_type, sha256, file_size, id }`, then the URL with the token
 * - errors: .../whatsapp/support/error-codes/ (`{ error: { message: "(#130429) Rate limit hit", type,
 *   code, error_data: { messaging_product, details }, fbtrace_id } }`; decide on `code`)
 * Meta's side of the webhook (verification GET, signed POSTs retried until 200) is in `fake-meta.ts`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sleepUnlessClosed } from './http-util.js';
import { newWamid } from './graph-payloads.js';

/** One request the fake received, in arrival order. */
export interface GraphCall {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly at: number;
  /** HTTP status once answered. */
  status?: number;
  /** The `wamid.…` given to an accepted message. */
  messageId?: string;
}

/** What the bot's calls are, for failures and latency. */
export type GraphRoute = 'messages' | 'typing' | 'phone' | 'media' | 'download';

/** A one-shot failure: a Meta error code (with its documented HTTP status), a bare 5xx, a hung or reset socket. */
export type GraphFailure = { code: number } | { status: 500 | 502 | 503 } | { hang: true } | { reset: true };

/** Meta's codes the fake can answer with: HTTP status, title, details (from Meta's error-code reference). */
export const META_ERRORS: Readonly<Record<number, { status: number; title: string; details: string }>> = {
  100: { status: 400, title: 'Invalid parameter', details: 'The request included one or more unsupported or misspelled parameters.' },
  190: { status: 401, title: 'Access token has expired', details: 'Error validating access token: Session has expired.' },
  130429: { status: 400, title: 'Rate limit hit', details: 'Message failed to send because there were too many messages sent from this phone number in a short period of time' },
  131000: { status: 500, title: 'Something went wrong', details: 'Message failed to send due to an unknown error.' },
  131009: { status: 400, title: 'Parameter value is not valid', details: 'One or more parameter values are invalid.' },
  131016: { status: 503, title: 'Service unavailable', details: 'A service is temporarily unavailable.' },
  131026: { status: 400, title: 'Message Undeliverable', details: 'Unable to deliver message.' },
  131047: { status: 400, title: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
  131056: { status: 400, title: '(Business Account, Consumer Account) pair rate limit hit', details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.' },
};

export interface FakeGraph {
  /** The API root to give the channel (`WHATSAPP_CLOUD_API_ROOT`). */
  readonly url: string;
  readonly version: string;
  readonly accessToken: string;
  readonly phoneNumberId: string;
  readonly calls: GraphCall[];
  /** Messages the business sent that Meta accepted (text, image, interactive), optionally to one customer. */
  sent(to?: string): GraphCall[];
  /** What each accepted message to `to` said: a text's body, an image's caption, an interactive message's body. */
  texts(to: string): string[];
  /** Accepted typing indicators, optionally only those for messages from customer `from`. */
  typings(from?: string): GraphCall[];
  /** The ids of accepted messages to `to`, in order. */
  sentIds(to: string): string[];
  /** The next calls to `route` fail like this, one failure per call. */
  failNext(route: GraphRoute, ...failures: GraphFailure[]): void;
  setLatency(route: GraphRoute, ms: number): void;
  /** Every call with the token is refused with 190 until {@link restoreToken}. */
  revokeToken(): void;
  restoreToken(): void;
  /** Makes a customer's media downloadable; returns its media id. `announce` changes what the media node says. */
  addMedia(data: Buffer, mimeType: string, announce?: { sha256?: string; url?: string }): { id: string; sha256: string };
  /** Tells the fake that Meta delivered a customer message with this id from `from` (the typing indicator needs one). */
  noteInbound(wamid: string, from: string): void;
  close(): Promise<void>;
}

/** Starts the fake Graph API on a random port. */
export async function startFakeGraph(options: { accessToken?: string; phoneNumberId?: string; verifiedName?: string } = {}): Promise<FakeGraph> {
  const version = 'v26.0';
  const accessToken = options.accessToken ?? `EAAG${randomBytes(30).toString('hex')}`;
  const phoneNumberId = options.phoneNumberId ?? '106540352242922';
  const calls: GraphCall[] = [];
  const failures = new Map<GraphRoute, GraphFailure[]>();
  const latency = new Map<GraphRoute, number>();
  const inbound = new Map<string, string>();
  const media = new Map<string, { data: Buffer; mimeType: string; sha256: string; url?: string }>();
  let tokenValid = true;
  let origin = '';

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => sendError(res, 131000, String(error)));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = (await readBody(req)).toString('utf8');
    let body: Record<string, unknown> = {};
    try {
      body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
    } catch {
      return sendError(res, 100, 'The request body is not valid JSON.');
    }
    const call: GraphCall = { method: req.method ?? 'GET', path: url.pathname, body, at: Date.now() };
    calls.push(call);
    res.on('finish', () => (call.status = res.statusCode));
    const route = routeOf(call);
    const delay = latency.get(route) ?? 0;
    if (delay > 0 && !(await sleepUnlessClosed(delay, res))) return;
    if (req.headers.authorization !== `Bearer ${accessToken}` || !tokenValid) return sendError(res, 190);
    const failure = failures.get(route)?.shift();
    if (failure && 'hang' in failure) return;
    if (failure && 'reset' in failure) return void req.socket.destroy();
    if (failure && 'status' in failure) return sendJson(res, failure.status, { error: { message: 'An unexpected error has occurred.', type: 'OAuthException', code: 2, fbtrace_id: trace() } });
    if (failure) return sendError(res, failure.code);
    if (route === 'download') return download(url, res);
    if (route === 'media') return mediaNode(url, res);
    const [, pathVersion, node] = url.pathname.split('/');
    if (pathVersion !== version) return sendError(res, 100, `Unknown path components: /${pathVersion}`);
    if (node !== phoneNumberId) {
      return sendError(res, 100, `Unsupported ${call.method.toLowerCase()} request. Object with ID '${node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`);
    }
    if (route === 'phone') return sendJson(res, 200, { verified_name: options.verifiedName ?? 'Mode Ivoire', id: phoneNumberId });
    if (route === 'typing') {
      const ok = typeof body.message_id === 'string' && inbound.has(body.message_id) && (body.typing_indicator as { type?: unknown })?.type === 'text';
      return ok ? sendJson(res, 200, { success: true }) : sendError(res, 100, 'Invalid message_id or typing_indicator.');
    }
    const problem = invalid(body);
    if (problem) return sendError(res, problem.code, problem.details);
    call.messageId = newWamid();
    sendJson(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: call.messageId }] });
  }

  function routeOf(call: GraphCall): GraphRoute {
    if (call.path.startsWith('/whatsapp_business/attachments')) return 'download';
    if (call.path.endsWith('/messages')) return call.body.status === 'read' ? 'typing' : 'messages';
    const node = call.path.split('/')[2];
    return node === phoneNumberId ? 'phone' : 'media';
  }

  function mediaNode(url: URL, res: ServerResponse): void {
    const id = url.pathname.split('/')[2] ?? '';
    const file = media.get(id);
    if (!file) return sendError(res, 100, `Unsupported get request. Object with ID '${id}' does not exist.`);
    const link = file.url ?? `${origin}/whatsapp_business/attachments/?mid=${id}&ext=${Math.floor(Date.now() / 1000) + 300}&hash=${trace()}`;
    sendJson(res, 200, { messaging_product: 'whatsapp', url: link, mime_type: file.mimeType, sha256: file.sha256, file_size: file.data.length, id });
  }

  function download(url: URL, res: ServerResponse): void {
    const file = media.get(url.searchParams.get('mid') ?? '');
    if (!file) return sendError(res, 100, 'Media not found.');
    res.writeHead(200, { 'content-type': file.mimeType, 'content-length': String(file.data.length) });
    res.end(file.data);
  }

  const accepted = (route: GraphRoute) => calls.filter((call) => call.status === 200 && routeOf(call) === route);
  const textOf = (call: GraphCall): string => {
    const { text, image, interactive } = call.body as { text?: { body?: string }; image?: { caption?: string }; interactive?: { body?: { text?: string } } };
    return text?.body ?? image?.caption ?? interactive?.body?.text ?? '';
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    version,
    accessToken,
    phoneNumberId,
    calls,
    sent: (to) => accepted('messages').filter((call) => to === undefined || call.body.to === to),
    texts: (to) => accepted('messages').filter((call) => call.body.to === to).map(textOf),
    typings: (from) => accepted('typing').filter((call) => from === undefined || inbound.get(String(call.body.message_id)) === from),
    sentIds: (to) => accepted('messages').filter((call) => call.body.to === to).map((call) => call.messageId ?? ''),
    failNext: (route, ...more) => failures.set(route, [...(failures.get(route) ?? []), ...more]),
    setLatency: (route, ms) => latency.set(route, ms),
    revokeToken: () => void (tokenValid = false),
    restoreToken: () => void (tokenValid = true),
    addMedia(data, mimeType, announce = {}) {
      const id = String(1_000_000_000_000 + media.size);
      const sha256 = announce.sha256 ?? createHash('sha256').update(data).digest('hex');
      media.set(id, { data, mimeType, sha256, ...(announce.url && { url: announce.url }) });
      return { id, sha256 };
    },
    noteInbound: (wamid, from) => void inbound.set(wamid, from),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** What Meta says of a malformed message, or nothing when it would be accepted. */
function invalid(body: Record<string, unknown>): { code: number; details: string } | undefined {
  const bad = (details: string) => ({ code: 131009, details });
  if (body.messaging_product !== 'whatsapp') return { code: 100, details: 'The parameter messaging_product is required.' };
  if (typeof body.to !== 'string' || !/^\+?\d{6,20}$/.test(body.to)) return bad('Parameter "to" is not a valid WhatsApp number.');
  const content = body[String(body.type)] as Record<string, unknown> | undefined;
  if (!content) return bad(`Param ${String(body.type)} is required.`);
  switch (body.type) {
    case 'text': {
      const text = String(content.body ?? '');
      if (text.trim() === '') return bad("Param text['body'] is required.");
      return text.length > 4096 ? bad("Param text['body'] must be at most 4096 characters long.") : undefined;
    }
    case 'image':
      if (typeof content.link !== 'string' || !/^https?:\/\//.test(content.link)) return bad("Param image['link'] must be a valid URL.");
      return String(content.caption ?? '').length > 1024 ? bad("Param image['caption'] must be at most 1024 characters long.") : undefined;
    case 'interactive':
      return invalidInteractive(content);
    default:
      return bad(`Unsupported message type: ${String(body.type)}`);
  }
}

function invalidInteractive(interactive: Record<string, unknown>): { code: number; details: string } | undefined {
  const bad = (details: string) => ({ code: 131009, details });
  const action = (interactive.action ?? {}) as { buttons?: { reply?: { id?: string; title?: string } }[]; button?: string; sections?: { rows?: { id?: string; title?: string; description?: string }[] }[] };
  const body = String((interactive.body as { text?: unknown } | undefined)?.text ?? '');
  if (body === '') return bad("Param interactive['body']['text'] is required.");
  if (interactive.type === 'button') {
    const buttons = action.buttons ?? [];
    if (buttons.length < 1 || buttons.length > 3) return bad('Buttons count should be between 1 and 3.');
    if (buttons.some((button) => !button.reply?.id || !button.reply.title || button.reply.title.length > 20)) return bad('Button title length must be between 1 and 20 characters.');
    return body.length > 1024 ? bad('Body text must be at most 1024 characters.') : undefined;
  }
  if (interactive.type === 'list') {
    const rows = (action.sections ?? []).flatMap((section) => section.rows ?? []);
    if (rows.length < 1 || rows.length > 10) return bad('Total row count should be between 1 and 10.');
    if (!action.button || action.button.length > 20) return bad('Button text length must be between 1 and 20 characters.');
    if (rows.some((row) => !row.id || !row.title || row.title.length > 24 || (row.description?.length ?? 0) > 72)) return bad('Row title or description is too long.');
    return undefined;
  }
  return bad(`Unsupported interactive type: ${String(interactive.type)}`);
}

const trace = () => randomBytes(12).toString('base64url');

function sendError(res: ServerResponse, code: number, details?: string): void {
  const known = META_ERRORS[code] ?? META_ERRORS[131000]!;
  sendJson(res, known.status, {
    error: {
      message: `(#${code}) ${known.title}`,
      type: 'OAuthException',
      code,
      error_data: { messaging_product: 'whatsapp', details: details ?? known.details },
      fbtrace_id: trace(),
    },
  });
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(payload));
}
