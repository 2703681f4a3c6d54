import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A lean Bot API fake for the bench, with the clock the figures need. Unlike
 * `test/support/fake-telegram.ts` it keeps no call log, answers in O(1), batches the updates
 * pushed in one tick into one `getUpdates` answer (like Telegram: customers writing "at
 * once" arrive together), and stamps with `performance.now()`:
 * - when an update was pushed (the customer sent it),
 * - when the `getUpdates` answer carrying it was written (the update was handed to the bot),
 * - when each other call's headers arrived (the bot's reply or typing reached Telegram).
 */
export interface BenchTelegram {
  readonly url: string;
  readonly token: string;
  /** Queues a private-chat text message from `chatId`; returns its `update_id`. */
  pushMessage(chatId: number, text: string): number;
  pushedAt(updateId: number): number | undefined;
  /** When the first `getUpdates` answer carrying the update was written. */
  handedOutAt(updateId: number): number | undefined;
  /** Called on every call but `getUpdates`, once its body is read; returns an unsubscribe function. */
  onCall(listener: (call: TimedCall) => void): () => void;
  /** Resolves with `performance.now()` of the bot's first `getUpdates`: it is polling. */
  polling(): Promise<number>;
  /** Calls received, by method. */
  readonly callCounts: ReadonlyMap<string, number>;
  /** Updates pushed but not yet acknowledged by an `offset`. */
  pending(): number;
  close(): Promise<void>;
}

/** One Bot API call as it reached the fake. */
export interface TimedCall {
  readonly method: string;
  readonly chatId: number | undefined;
  readonly text: string | undefined;
  /** `performance.now()` when the request's headers arrived. */
  readonly at: number;
}

interface QueuedUpdate {
  readonly update_id: number;
  readonly message: Record<string, unknown>;
}

interface HeldPoll {
  readonly res: ServerResponse;
  readonly limit: number;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startBenchTelegram(token: string): Promise<BenchTelegram> {
  const botId = Number(token.split(':')[0]) || 123456;
  const me = {
    id: botId, is_bot: true, first_name: 'Mode Ivoire', username: 'mode_ivoire_bot', can_join_groups: true,
    can_read_all_group_messages: false, supports_inline_queries: false,
  };
  const queue: QueuedUpdate[] = [];
  let head = 0; // queue[head..] are not acknowledged yet
  const pushed: number[] = [];
  const handedOut: number[] = [];
  const listeners = new Set<(call: TimedCall) => void>();
  const callCounts = new Map<string, number>();
  let held: HeldPoll | undefined;
  let flushScheduled = false;
  let nextUpdateId = 1;
  let nextMessageId = 1;
  let firstPoll: number | undefined;
  let onFirstPoll: ((at: number) => void) | undefined;
  const firstPollPromise = new Promise<number>((resolve) => (onFirstPoll = resolve));

  function answerPoll(poll: HeldPoll): void {
    clearTimeout(poll.timer);
    if (held === poll) held = undefined;
    const batch = queue.slice(head, head + poll.limit);
    const body = JSON.stringify({ ok: true, result: batch });
    if (poll.res.destroyed) return;
    poll.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    poll.res.end(body);
    const at = performance.now();
    for (const update of batch) handedOut[update.update_id] ??= at;
  }

  function getUpdates(params: Record<string, unknown>, res: ServerResponse): void {
    if (firstPoll === undefined) {
      firstPoll = performance.now();
      onFirstPoll?.(firstPoll);
    }
    const offset = Number(params.offset ?? 0);
    while (head < queue.length && queue[head]!.update_id < offset) head += 1;
    if (head > 4096 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
    if (held) answerPoll(held); // a newer poll supersedes the held one
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const timeoutMs = Math.min(30, Math.max(0, Number(params.timeout ?? 0))) * 1000;
    const poll: HeldPoll = { res, limit, timer: setTimeout(() => answerPoll(poll), timeoutMs) };
    res.on('close', () => {
      clearTimeout(poll.timer);
      if (held === poll) held = undefined;
    });
    if (head < queue.length) answerPoll(poll);
    else held = poll;
  }

  function handle(method: string, params: Record<string, unknown>): unknown {
    switch (method) {
      case 'getMe':
        return me;
      case 'sendMessage': {
        const chatId = Number(params.chat_id);
        const chat = { id: chatId, type: 'private', first_name: 'Awa' };
        return { message_id: nextMessageId++, from: me, chat, date: Math.floor(Date.now() / 1000), text: params.text };
      }
      case 'sendChatAction':
      case 'deleteWebhook':
      case 'close':
      case 'setMyCommands':
        return true;
      default:
        return undefined;
    }
  }

  const prefix = `/bot${token}/`;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (!path.startsWith(prefix)) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      const method = path.slice(prefix.length);
      callCounts.set(method, (callCounts.get(method) ?? 0) + 1);
      let params: Record<string, unknown> = {};
      try {
        if (chunks.length > 0) params = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return reply(res, 400, { ok: false, error_code: 400, description: "Bad Request: can't parse JSON object" });
      }
      if (method === 'getUpdates') return getUpdates(params, res);
      const chatId = params.chat_id === undefined ? undefined : Number(params.chat_id);
      const text = typeof params.text === 'string' ? params.text : undefined;
      for (const listener of listeners) listener({ method, chatId, text, at });
      const result = handle(method, params);
      if (result === undefined) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
      reply(res, 200, { ok: true, result });
    });
  });
  server.keepAliveTimeout = 30_000; // a warm connection pool, as with api.telegram.org
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 1024, resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    pushMessage(chatId, text) {
      const update_id = nextUpdateId++;
      const message = {
        message_id: nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private', first_name: 'Awa' },
        from: { id: chatId, is_bot: false, first_name: 'Awa', language_code: 'fr' },
        text,
      };
      queue.push({ update_id, message });
      pushed[update_id] = performance.now();
      if (held && !flushScheduled) {
        // Everything pushed in this tick goes out in one answer.
        flushScheduled = true;
        queueMicrotask(() => {
          flushScheduled = false;
          if (held && head < queue.length) answerPoll(held);
        });
      }
      return update_id;
    },
    pushedAt: (id) => pushed[id],
    handedOutAt: (id) => handedOut[id],
    onCall(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    polling: () => firstPollPromise,
    callCounts,
    pending: () => queue.length - head,
    async close() {
      if (held) answerPoll(held);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function reply(res: ServerResponse, status: number, payload: unknown): void {
  if (res.destroyed) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
