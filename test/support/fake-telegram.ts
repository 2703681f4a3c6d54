import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message, Update, UserFromGetMe } from 'grammy/types';
import { createFakeTelegramFiles, type FakeTelegramFiles } from './fake-telegram-files.js';
import { parseBody, readBody, sleepUnlessClosed } from './http-util.js';

/** One HTTP request the fake received, in arrival order. */
export interface TelegramCall {
  method: string;
  /** JSON body, or the fields of a multipart / urlencoded body (uploaded files become `{ filename, size }`). */
  params: Record<string, unknown>;
  /** `Date.now()` at arrival. */
  at: number;
  /** HTTP status once answered; `undefined` while in flight or if the client went away. */
  status?: number;
  /** The `message_id` of the message it sent, for a successful `sendMessage` / `sendPhoto`. */
  messageId?: number;
}

/** What `setWebhook` registered. */
export interface FakeWebhook {
  readonly url: string;
  readonly secretToken?: string;
  readonly allowedUpdates?: readonly string[];
}

/** One POST the fake made to the bot's webhook. */
export interface WebhookDelivery {
  readonly updateId: number;
  /** HTTP status of the bot's answer; 0 when the connection failed. */
  readonly status: number;
  readonly at: number;
}

/** A one-shot failure injected with {@link FakeTelegram.failNext}. */
export type TelegramFailure =
  | { status: 429; retryAfter: number }
  | { status: 500; description?: string }
  | { status: 400; description: string };

/** Handle on a running fake Bot API server. */
export interface FakeTelegram {
  /** Pass as grammY's `client.apiRoot` (no trailing slash). */
  readonly url: string;
  readonly token: string;
  /** What `getMe` returns; also the `from` of every message the bot sends. */
  readonly me: UserFromGetMe;
  readonly calls: TelegramCall[];
  /** Highest `offset` any `getUpdates` call has sent, i.e. every update below it is acknowledged. */
  readonly confirmedOffset: number;
  /** Queues an update for `getUpdates`, assigning the next `update_id` if missing. */
  pushUpdate(update: Omit<Update, 'update_id'> & { update_id?: number }): Update;
  /** Queues a private-chat text message from user `chatId` (a leading `/command` gets its `bot_command` entity). */
  pushMessage(chatId: number, text: string, extra?: Record<string, unknown>): Update;
  /**
   * Queues a voice note (or, with `kind: 'audio'`, an audio file) from user `chatId`: the bytes
   * are stored for `getFile` and download, the message carries their `file_id`, size and `duration`.
   */
  pushVoice(chatId: number, audio: Uint8Array | { size: number }, options: { durationSec: number; kind?: 'voice' | 'audio' }): Update;
  /** The files `getFile` knows and the downloads made. */
  readonly files: FakeTelegramFiles;
  /**
   * The customer presses the inline button labelled `label` (exactly, or the first whose label
   * contains it) under the bot's latest message to `chatId` that has one, or under message
   * `messageId`: queues a `callback_query` update as Telegram sends it. Throws when there is no
   * such button. Returns the update and the query's id.
   */
  pressButton(chatId: number, label: string, options?: { messageId?: number }): { update: Update; queryId: string };
  /** The labels of the inline keyboard under the bot's latest message to `chatId` (empty without one). */
  buttons(chatId: number | string): string[];
  /** Ids of the callback queries the bot answered (`answerCallbackQuery`), in order. */
  readonly answeredQueries: readonly string[];
  /** `sendMessage` / `sendPhoto` calls, optionally for one chat, excluding those answered with an error. */
  sent(chatId?: number | string): TelegramCall[];
  /** The texts the bot sent a chat (`sendMessage` only), in order. */
  texts(chatId: number | string): string[];
  /** Waits until the chat has received `count` texts, and returns them; the error lists what it got. */
  waitForTexts(chatId: number | string, count: number, timeoutMs?: number): Promise<string[]>;
  /** Resolves with the first call (past or future) matching `predicate`, checked on arrival and again once answered. */
  waitFor(predicate: (call: TelegramCall) => boolean, timeoutMs?: number): Promise<TelegramCall>;
  /** Makes the next call to `method` fail once (several calls queue up). */
  failNext(method: string, failure: TelegramFailure): void;
  /** Delays every answer to `method` by `ms` (0 to reset). */
  setLatency(method: string, ms: number): void;
  /** Updates not yet acknowledged through an `offset` (or, with a webhook, by a 2xx). */
  pendingUpdates(): number;
  /**
   * The webhook `setWebhook` registered, `undefined` when none (or after `deleteWebhook`).
   * While one is set, queued updates are POSTed to it one at a time, in order, with its secret
   * in `X-Telegram-Bot-Api-Secret-Token`, and retried until the bot answers 2xx, like Telegram.
   */
  readonly webhook: FakeWebhook | undefined;
  /** Every webhook POST, in order. */
  readonly webhookDeliveries: readonly WebhookDelivery[];
  /** Sends webhook POSTs to this origin (e.g. `http://127.0.0.1:3000`), keeping the registered path: the owner's reverse proxy. */
  routeWebhookTo(origin: string): void;
  /**
   * POSTs one update to the registered webhook now, as Telegram does, with the registered
   * secret (or `secretToken`; `null` sends no header), outside the delivery queue; resolves with the status.
   */
  postToWebhook(update: Update, options?: { secretToken?: string | null }): Promise<number>;
  /** Ends held long polls, drops all sockets and stops listening. */
  close(): Promise<void>;
}

type Result = { status: number; body: Record<string, unknown> };

const ok = (result: unknown): Result => ({ status: 200, body: { ok: true, result } });
const fail = (status: number, description: string, parameters?: Record<string, unknown>): Result => ({
  status,
  body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});
const badRequest = (what: string): Result => fail(400, `Bad Request: ${what}`);
const now = (): number => Math.floor(Date.now() / 1000);

/** Methods answered with plain `true` after recording (besides those with their own handler). */
const TRUE_METHODS = new Set(
  [
    'close', 'logOut', 'deleteMyCommands', 'deleteMessage', 'editMessageText',
    'editMessageReplyMarkup', 'setChatMenuButton', 'setMyDescription', 'setMyShortDescription', 'setMyName',
    'setMessageReaction', 'pinChatMessage',
  ].map((m) => m.toLowerCase()),
);

/** Starts a fake Telegram Bot API on 127.0.0.1 with a random port. */
export async function startFakeTelegram(options: { token?: string } = {}): Promise<FakeTelegram> {
  const token = options.token ?? '123456:TEST-TOKEN';
  const me: UserFromGetMe = {
    id: Number(token.split(':')[0]) || 123456, is_bot: true, first_name: 'Mode Ivoire', username: 'mode_ivoire_bot',
    can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false,
    can_connect_to_business: false, has_main_web_app: false, has_topics_enabled: false,
    allows_users_to_create_topics: false, can_manage_bots: false, supports_join_request_queries: false,
  };
  const calls: TelegramCall[] = [];
  const updates: Update[] = [];
  const failures = new Map<string, TelegramFailure[]>();
  const latency = new Map<string, number>();
  const callListeners = new Set<(call: TelegramCall) => void>();
  // A held getUpdates: `wake` re-checks the queue, `end` answers with what is there now.
  const polls = new Set<{ wake: () => void; end: () => void; terminate: () => void }>();
  let nextUpdateId = 1;
  let nextMessageId = 1;
  let confirmedOffset = 0;
  let webhook: FakeWebhook | undefined;
  let webhookOrigin: string | undefined;
  const webhookDeliveries: WebhookDelivery[] = [];
  const webhookRetryMs = 100;
  let delivering = false;
  let closing = false;
  const deliveryAborts = new Set<AbortController>();
  let commands: unknown = [];
  const files = createFakeTelegramFiles();

  /** Messages the bot sent, by id, as Telegram keeps them (a press on a button quotes its message). */
  const sentMessages = new Map<number, Message>();
  /** Callback queries issued to the bot and not yet answered. */
  const openQueries = new Set<string>();
  const answeredQueries: string[] = [];
  let nextQueryId = 1;

  const sendMessageLike = (params: Record<string, unknown>, content: Partial<Message>): Result => {
    const chatId = params.chat_id;
    if (chatId === undefined || chatId === '') return badRequest('chat_id is empty');
    const markup = readMarkup(params.reply_markup);
    if (typeof markup === 'string') return badRequest(markup);
    const numeric = Number(chatId);
    const chat = { id: Number.isNaN(numeric) ? 0 : numeric, type: 'private' as const, first_name: 'Awa' };
    const message = { message_id: nextMessageId++, from: me, chat, date: now(), ...content, ...(markup && { reply_markup: markup }) } as Message;
    sentMessages.set(message.message_id, message);
    return ok(message);
  };

  /**
   * `reply_markup` as the Bot API checks an inline keyboard
   * (https://core.telegram.org/bots/api#inlinekeyboardmarkup, #inlinekeyboardbutton): an array
   * of rows of buttons, each with a `text` and one action: `callback_data` of 1–64 bytes, or a
   * `url`. Returns the error description for a bad one.
   */
  function readMarkup(raw: unknown): Message['reply_markup'] | string | undefined {
    if (raw === undefined) return undefined;
    let markup: unknown = raw;
    try {
      if (typeof raw === 'string') markup = JSON.parse(raw);
    } catch {
      return "can't parse reply keyboard markup JSON object";
    }
    const rows = (markup as { inline_keyboard?: unknown }).inline_keyboard;
    if (!Array.isArray(rows)) return 'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array';
    for (const row of rows) {
      if (!Array.isArray(row)) return 'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays';
      for (const button of row as unknown[]) {
        const { text, callback_data: data, url } = (button ?? {}) as { text?: unknown; callback_data?: unknown; url?: unknown };
        if (typeof text !== 'string' || text === '') return 'text buttons are unallowed in the inline keyboard';
        if (typeof url === 'string' && data === undefined) continue;
        if (typeof data !== 'string' || data === '' || Buffer.byteLength(data) > 64) return 'BUTTON_DATA_INVALID';
      }
    }
    return markup as Message['reply_markup'];
  }

  function getUpdates(params: Record<string, unknown>, res: ServerResponse): Promise<Result> {
    if (webhook) {
      return Promise.resolve(fail(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"));
    }
    const offset = Number(params.offset ?? 0);
    if (offset < 0) updates.splice(0, Math.max(0, updates.length + offset));
    else if (offset > 0) {
      confirmedOffset = Math.max(confirmedOffset, offset);
      while (updates.length > 0 && (updates[0]?.update_id ?? 0) < offset) updates.shift();
    }
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const timeoutMs = Math.max(0, Number(params.timeout ?? 0)) * 1000;
    // Like Telegram, a newer poll terminates the one still held (two bot instances polling).
    for (const poll of polls) poll.terminate();
    return new Promise((resolve) => {
      const poll = {
        wake: () => {
          if (updates.length > 0) finish(ok(updates.slice(0, limit)));
        },
        end: () => finish(ok(updates.slice(0, limit))),
        terminate: () =>
          finish(fail(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running')),
      };
      const timer = setTimeout(poll.end, timeoutMs);
      const finish = (result: Result): void => {
        clearTimeout(timer);
        polls.delete(poll);
        resolve(result);
      };
      res.on('close', () => finish(ok([])));
      polls.add(poll);
      poll.wake();
    });
  }

  function handle(method: string, params: Record<string, unknown>, res: ServerResponse): Result | Promise<Result> {
    const failure = failures.get(method.toLowerCase())?.shift();
    if (failure?.status === 429) {
      return fail(429, `Too Many Requests: retry after ${failure.retryAfter}`, { retry_after: failure.retryAfter });
    }
    if (failure) return fail(failure.status, failure.description ?? 'Internal Server Error');
    switch (method.toLowerCase()) {
      case 'getme':
        return ok(me);
      case 'getfile': {
        const file = files.getFile(params);
        return file.ok ? ok(file.result) : fail(file.status, file.description);
      }
      case 'getupdates':
        return getUpdates(params, res);
      case 'sendmessage': {
        const text = typeof params.text === 'string' ? params.text : '';
        if (params.chat_id !== undefined && text.trim() === '') return badRequest('message text is empty');
        if (text.length > 4096) return badRequest('message is too long');
        return sendMessageLike(params, { text });
      }
      case 'sendphoto': {
        if (params.photo === undefined || params.photo === '') return badRequest('there is no photo in the request');
        const caption = typeof params.caption === 'string' ? params.caption : undefined;
        if (caption !== undefined && caption.length > 1024) return badRequest('message caption is too long');
        const id = `AgACAgQAAxkBAAI${nextMessageId}`;
        const photo = [90, 320, 800].map((w, i) => ({
          file_id: `${id}_${i}`, file_unique_id: `AQAD${nextMessageId}${i}`, width: w, height: w, file_size: w * 40,
        }));
        return sendMessageLike(params, { photo, ...(caption !== undefined ? { caption } : {}) });
      }
      case 'answercallbackquery': {
        // https://core.telegram.org/bots/api#answercallbackquery: once per query, text up to 200 characters.
        const id = String(params.callback_query_id ?? '');
        if (!openQueries.delete(id)) return badRequest('query is too old and response timeout expired or query ID is invalid');
        if (typeof params.text === 'string' && params.text.length > 200) return badRequest('MESSAGE_TOO_LONG');
        answeredQueries.push(id);
        return ok(true);
      }
      case 'sendchataction':
        return params.chat_id === undefined ? badRequest('chat_id is empty') : ok(true);
      case 'setwebhook': {
        const url = typeof params.url === 'string' ? params.url : '';
        if (url === '') {
          webhook = undefined;
          return ok(true);
        }
        if (!/^https?:\/\//.test(url)) return badRequest('bad webhook: An HTTPS URL must be provided for webhook');
        const allowed = typeof params.allowed_updates === 'string' ? JSON.parse(params.allowed_updates) : params.allowed_updates;
        webhook = {
          url,
          ...(typeof params.secret_token === 'string' && { secretToken: params.secret_token }),
          ...(Array.isArray(allowed) && { allowedUpdates: allowed.map(String) }),
        };
        void deliverQueued();
        return ok(true);
      }
      case 'deletewebhook':
        webhook = undefined;
        if (params.drop_pending_updates === true || params.drop_pending_updates === 'true') updates.length = 0;
        return ok(true);
      case 'getwebhookinfo':
        return ok({ url: webhook?.url ?? '', has_custom_certificate: false, pending_update_count: updates.length });
      case 'setmycommands':
        commands = params.commands;
        return ok(true);
      case 'getmycommands':
        return ok(typeof commands === 'string' ? JSON.parse(commands) : commands);
      default:
        return TRUE_METHODS.has(method.toLowerCase()) ? ok(true) : fail(404, 'Not Found: method not found');
    }
  }

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, fail(500, `Internal Server Error: ${String(error)}`));
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && (await files.serve(url.pathname, token, res))) return;
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const body = await readBody(req);
    if (!match || match[1] !== token) return reply(res, fail(match ? 401 : 404, match ? 'Unauthorized' : 'Not Found'));
    const method = match[2] ?? '';
    let params: Record<string, unknown>;
    try {
      params = { ...Object.fromEntries(url.searchParams), ...parseBody(req.headers['content-type'] ?? '', body) };
    } catch {
      return reply(res, badRequest("can't parse JSON object"));
    }
    const call: TelegramCall = { method, params, at: Date.now() };
    calls.push(call);
    for (const listener of callListeners) listener(call);
    const delayMs = latency.get(method.toLowerCase()) ?? 0;
    if (delayMs > 0 && !(await sleepUnlessClosed(delayMs, res))) return;
    const result = await handle(method, params, res);
    if (res.destroyed) return;
    call.status = result.status;
    const sentId = (result.body.result as { message_id?: unknown } | undefined)?.message_id;
    if (typeof sentId === 'number') call.messageId = sentId;
    reply(res, result);
    // Notify again so predicates on `status` (e.g. "a sendMessage that succeeded") can match.
    for (const listener of callListeners) listener(call);
  }

  function pushUpdate(update: Omit<Update, 'update_id'> & { update_id?: number }): Update {
    const full = { ...update, update_id: update.update_id ?? nextUpdateId } as Update;
    nextUpdateId = Math.max(nextUpdateId, full.update_id + 1);
    updates.push(full);
    for (const poll of polls) poll.wake();
    void deliverQueued();
    return full;
  }

  function webhookTarget(url: string): string {
    if (!webhookOrigin) return url;
    const { pathname, search } = new URL(url);
    return `${webhookOrigin}${pathname}${search}`;
  }

  async function post(update: Update, secretToken: string | null | undefined): Promise<number> {
    if (!webhook) throw new Error('fake-telegram: no webhook is set');
    const abort = new AbortController();
    deliveryAborts.add(abort);
    let status = 0;
    try {
      const response = await fetch(webhookTarget(webhook.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secretToken != null && { 'X-Telegram-Bot-Api-Secret-Token': secretToken }) },
        body: JSON.stringify(update),
        signal: abort.signal,
      });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      status = 0;
    } finally {
      deliveryAborts.delete(abort);
    }
    webhookDeliveries.push({ updateId: update.update_id, status, at: Date.now() });
    return status;
  }

  /** Like Telegram: one update at a time, in order, retried until the bot answers 2xx. */
  async function deliverQueued(): Promise<void> {
    if (delivering) return;
    delivering = true;
    try {
      while (webhook && !closing && updates.length > 0) {
        const update = updates[0]!;
        const status = await post(update, webhook.secretToken);
        if (status >= 200 && status < 300) {
          if (updates[0] === update) updates.shift();
        } else if (!closing) {
          await new Promise((resolve) => setTimeout(resolve, webhookRetryMs));
        }
      }
    } finally {
      delivering = false;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeTelegram = {
    url: `http://127.0.0.1:${port}`,
    token,
    me,
    calls,
    get confirmedOffset() {
      return confirmedOffset;
    },
    pushUpdate,
    pushMessage(chatId, text, extra = {}) {
      const command = /^\/\w+(@\w+)?/.exec(text);
      const message = {
        message_id: nextMessageId++,
        date: now(),
        chat: { id: chatId, type: 'private', first_name: 'Awa' },
        from: { id: chatId, is_bot: false, first_name: 'Awa', language_code: 'fr' },
        text,
        ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
        ...extra,
      } as Update['message'];
      return pushUpdate({ message });
    },
    pushVoice(chatId, audio, options) {
      const kind = options.kind ?? 'voice';
      const file = files.add(audio, kind === 'audio' ? { path: `music/file_${nextMessageId}.mp3` } : {});
      const media = { ...file, duration: options.durationSec, mime_type: kind === 'audio' ? 'audio/mpeg' : 'audio/ogg' };
      const message = {
        message_id: nextMessageId++,
        date: now(),
        chat: { id: chatId, type: 'private', first_name: 'Awa' },
        from: { id: chatId, is_bot: false, first_name: 'Awa', language_code: 'fr' },
        [kind]: media,
      } as unknown as Update['message'];
      return pushUpdate({ message });
    },
    files,
    pressButton(chatId, label, options = {}) {
      const candidates = [...sentMessages.values()]
        .filter((message) => message.chat.id === chatId && (options.messageId === undefined || message.message_id === options.messageId))
        .reverse();
      for (const message of candidates) {
        const keyboard = (message.reply_markup?.inline_keyboard ?? []).flat() as { text: string; callback_data?: string }[];
        if (keyboard.length === 0) continue;
        const button = keyboard.find((candidate) => candidate.text === label) ?? keyboard.find((candidate) => candidate.text.includes(label));
        if (!button?.callback_data) throw new Error(`fake-telegram: no button "${label}" under message ${message.message_id}: ${keyboard.map((b) => b.text).join(' | ')}`);
        const queryId = `${8_000_000 + nextQueryId++}`;
        openQueries.add(queryId);
        const from = { id: chatId, is_bot: false, first_name: 'Awa', language_code: 'fr' };
        // https://core.telegram.org/bots/api#callbackquery
        const update = pushUpdate({
          callback_query: { id: queryId, from, message, chat_instance: `-${chatId}42`, data: button.callback_data },
        } as Omit<Update, 'update_id'>);
        return { update, queryId };
      }
      throw new Error(`fake-telegram: chat ${chatId} has no message with buttons`);
    },
    buttons(chatId) {
      const last = [...sentMessages.values()].reverse().find((message) => String(message.chat.id) === String(chatId));
      return ((last?.reply_markup?.inline_keyboard ?? []).flat() as { text: string }[]).map((button) => button.text);
    },
    answeredQueries,
    texts(chatId) {
      return fake.sent(chatId).filter((c) => c.method === 'sendMessage').map((c) => String(c.params.text));
    },
    async waitForTexts(chatId, count, timeoutMs = 8000) {
      const started = Date.now();
      while (fake.texts(chatId).length < count) {
        if (Date.now() - started > timeoutMs) {
          throw new Error(`chat ${chatId} got ${JSON.stringify(fake.texts(chatId))}, expected ${count} texts`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return fake.texts(chatId);
    },
    sent(chatId) {
      return calls.filter(
        (c) =>
          (c.method === 'sendMessage' || c.method === 'sendPhoto') &&
          (c.status === undefined || c.status < 400) &&
          (chatId === undefined || String(c.params.chat_id) === String(chatId)),
      );
    },
    waitFor(predicate, timeoutMs = 5000) {
      const found = calls.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const listener = (call: TelegramCall): void => {
          if (!predicate(call)) return;
          clearTimeout(timer);
          callListeners.delete(listener);
          resolve(call);
        };
        const timer = setTimeout(() => {
          callListeners.delete(listener);
          const seen = calls.map((c) => `  ${c.method} ${JSON.stringify(c.params).slice(0, 200)}`).join('\n');
          reject(new Error(`fake-telegram: no matching call within ${timeoutMs} ms; recorded calls:\n${seen || '  (none)'}`));
        }, timeoutMs);
        callListeners.add(listener);
      });
    },
    failNext(method, failure) {
      const key = method.toLowerCase();
      failures.set(key, [...(failures.get(key) ?? []), failure]);
    },
    setLatency(method, ms) {
      latency.set(method.toLowerCase(), ms);
    },
    pendingUpdates: () => updates.length,
    get webhook() {
      return webhook;
    },
    webhookDeliveries,
    routeWebhookTo(origin) {
      webhookOrigin = origin.replace(/\/+$/, '');
      void deliverQueued();
    },
    postToWebhook(update, options = {}) {
      return post(update, options.secretToken === undefined ? webhook?.secretToken : options.secretToken);
    },
    async close() {
      closing = true;
      for (const abort of deliveryAborts) abort.abort();
      for (const poll of polls) poll.end();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
    },
  };
  return fake;
}

function reply(res: ServerResponse, result: Result): void {
  if (res.destroyed) return;
  res.writeHead(result.status, { 'content-type': 'application/json' }).end(JSON.stringify(result.body));
}
