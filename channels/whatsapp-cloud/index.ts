import type { Health, MessageHandler } from '../../src/core/channel.js';
import { sleep } from '../../src/core/timing.js';
import { pseudonym } from '../../src/infra/logger.js';
import { withNumberedChoices } from '../shared/numbered-choices.js';
import { splitText } from '../shared/split-text.js';
import { GraphApiError, WhatsAppCloudError, isTokenRefused, isWindowClosed, retryReasonOf } from './errors.js';
import { createGraphClient } from './graph.js';
import { downloadMedia, downloadMessageMedia } from './media.js';
import { buttonsMessage, choicesMessage, imageMessage, listMessage, textMessage, typingIndicator, waIdOf, TEXT_LIMIT } from './outgoing.js';
import { parseCloudWebhook } from './parse.js';
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from './retry.js';
import { cloudMetrics, createStatusRecorder } from './statuses.js';
import { ownerNotices } from './texts.js';
import type { WhatsAppCloudChannel, WhatsAppCloudChannelOptions } from './types.js';
import { addCloudWebhook } from './webhook.js';

export { parseCloudWebhook, type CloudParseOptions, type CloudStatus, type CloudWebhookEvents, type CloudWebhookError } from './parse.js';
export { GraphApiError, WhatsAppCloudError, type WhatsAppCloudErrorCode } from './errors.js';
export { SIGNATURE_HEADER, signedBy } from './webhook.js';
export { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from './retry.js';
export { BUTTONS, LIST, TEXT_LIMIT, CAPTION_LIMIT, type Choice } from './outgoing.js';
export type { DownloadedMedia } from './media.js';
export type { WhatsAppCloudChannel, WhatsAppCloudChannelOptions } from './types.js';

/** Chats whose last message id is kept: the typing indicator is a read receipt for one message. */
const REMEMBERED_CHATS = 10_000;
/** Recent replies kept by id, so a late "failed" status can still tell the owner what was lost. */
const REMEMBERED_REPLIES = 500;

/**
 * WhatsApp through Meta's official Cloud API: Meta POSTs customer messages to the bot's
 * webhook (signed with the app secret); replies go out through the Graph API with plain
 * `fetch`. Each message is acknowledged (200) once journalled, never after the answer.
 *
 * Meta's limits are handled here, where they are known: the throughput limit (130429) and
 * the pair rate limit (131056) are retried with backoff inside `sendText`, which the chat's
 * outbox awaits, so nothing is dropped or reordered. A refused token makes the channel
 * `degraded` and tells the owner once; a reply to a customer whose 24-hour window has closed
 * (131047) is not sent (only a template could be) and goes to the owner instead.
 *
 * @example
 * const whatsapp = createWhatsAppCloudChannel({ ...config.whatsappCloud, logger, notifyOwner: app.notifyOwner });
 * whatsapp.routes(app.http);
 * await whatsapp.start(engine.receive);
 */
export function createWhatsAppCloudChannel(options: WhatsAppCloudChannelOptions): WhatsAppCloudChannel {
  const log = options.logger.child({ channel: 'whatsapp', transport: 'cloud' });
  const graph = createGraphClient({ ...options, fetch: options.fetch ?? globalThis.fetch, attemptTimeoutMs: options.attemptTimeoutMs ?? 15_000 });
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const metrics = cloudMetrics(options.registry);
  const webhookPath = options.webhookPath ?? '/whatsapp/webhook';
  const lastMessageOf = new Map<string, string>();
  const replies = new Map<string, { readonly waId: string; readonly text: string }>();
  const statuses = createStatusRecorder({
    log,
    metrics,
    onWindowClosed: (messageId, recipientId) => tellWindowClosed(recipientId, replies.get(messageId)?.text ?? '(texte inconnu)'),
  });
  let state: Health = { state: 'stopped' };
  let ready: Health = { state: 'ready', detail: 'Cloud API' };
  let onMessage: MessageHandler | undefined;
  let accepting = false;
  let stopped = new AbortController();
  let checking: Promise<void> | undefined;
  /** Set while Meta refuses the token: why, for `/healthz`. */
  let refusal: string | undefined;
  const inFlight = new Set<Promise<void>>();

  const remember = <V>(map: Map<string, V>, key: string, value: V, limit: number) => {
    map.delete(key);
    map.set(key, value);
    if (map.size > limit) map.delete(map.keys().next().value as string);
  };

  function tell(key: string, text: string): void {
    if (!options.notifyOwner) {
      log.warn({ notice: key }, 'whatsapp: owner notice not sent: no way to reach the owner');
      return;
    }
    void Promise.resolve()
      .then(() => options.notifyOwner?.(key, text))
      .catch((error: unknown) => log.error({ err: error, notice: key }, 'whatsapp: owner notice failed'));
  }

  function tellWindowClosed(waId: string, text: string): void {
    log.warn({ chat: pseudonym(waId) }, 'whatsapp: the 24-hour window is closed; reply not sent, the owner is told');
    tell(`whatsapp-window-closed-${pseudonym(waId)}-${Date.now()}`, ownerNotices.windowClosed(waId, text));
  }

  function tokenRefused(error: GraphApiError): void {
    const detail = `Meta refused the access token (${error.code || `HTTP ${error.status}`}): put a valid WHATSAPP_CLOUD_ACCESS_TOKEN`;
    if (refusal === undefined) {
      log.error({ err: error }, `whatsapp: ${detail}`);
      tell(`whatsapp-cloud-token-refused-${Date.now()}`, ownerNotices.tokenRefused(`code ${error.code || error.status}`));
    }
    refusal = detail;
    if (accepting) state = { state: 'degraded', detail };
  }

  function tokenAccepted(): void {
    if (refusal === undefined) return;
    refusal = undefined;
    log.info('whatsapp: Meta accepts the access token again');
    if (accepting) state = ready;
  }

  /** One Graph API call, with the channel's bookkeeping: retries, counts, and a refused token noticed. */
  async function call<T>(run: () => Promise<T>, signal: AbortSignal | undefined, retry = true): Promise<T> {
    try {
      const onRetry = (error: unknown, reason: string, delayMs: number) => {
        metrics.retries.inc({ reason });
        log.warn({ err: error, reason, delayMs }, `whatsapp: Meta says not now (${reason}); trying again in ${delayMs} ms`);
      };
      const result = await withRetries(run, retry ? policy : { ...policy, maxAttempts: 1 }, { signal, onRetry });
      tokenAccepted();
      return result;
    } catch (error) {
      if (error instanceof GraphApiError) metrics.errors.inc({ code: String(error.code), source: 'send' });
      if (!isTokenRefused(error)) throw error;
      tokenRefused(error as GraphApiError);
      throw new WhatsAppCloudError('token_refused', 'Meta refused the access token', { cause: error });
    }
  }

  /** Sends one message body; false when the customer's 24-hour window is closed (the owner got `text` instead). */
  async function deliver(waId: string, body: Readonly<Record<string, unknown>>, text: string, signal?: AbortSignal): Promise<boolean> {
    try {
      const messageId = await call(() => graph.postMessage(body, signal), signal);
      if (messageId) remember(replies, messageId, { waId, text }, REMEMBERED_REPLIES);
      return true;
    } catch (error) {
      if (!isWindowClosed(error)) throw error;
      tellWindowClosed(waId, text);
      return false;
    }
  }

  async function take(payload: unknown): Promise<void> {
    const events = parseCloudWebhook(payload, { phoneNumberId: options.phoneNumberId, receivedAt: Date.now() });
    for (const status of events.statuses) statuses.status(status);
    for (const error of events.errors) statuses.accountError(error);
    const taken = Promise.all(
      events.messages.map((message) => {
        remember(lastMessageOf, message.chatId, message.messageId, REMEMBERED_CHATS);
        return onMessage?.(message, channel);
      }),
    ).then(() => undefined);
    inFlight.add(taken);
    void taken.catch(() => undefined).finally(() => inFlight.delete(taken));
    return taken;
  }

  /** At start: is the number there, and does Meta take the token? Retries while the Graph API is unreachable. */
  async function checkNumber(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const node = await call(() => graph.getNode(options.phoneNumberId, { fields: 'verified_name' }, signal), signal, false);
        const name = typeof node.verified_name === 'string' ? node.verified_name : undefined;
        ready = { state: 'ready', detail: `Cloud API${name ? `, ${name}` : ''}` };
        state = ready;
        log.info({ phoneNumberId: options.phoneNumberId, name, webhook: webhookPath }, 'whatsapp: Cloud API ready, taking messages by webhook');
        return;
      } catch (error) {
        if (signal.aborted || error instanceof WhatsAppCloudError) return; // a refused token is already reported
        const final = retryReasonOf(error) === undefined;
        const detail = final
          ? `Meta does not know this number (${describe(error)}): check WHATSAPP_CLOUD_PHONE_NUMBER_ID`
          : `Graph API unreachable: ${describe(error)}`;
        state = { state: 'degraded', detail };
        log.error({ err: error }, `whatsapp: ${detail}`);
        if (final) return;
        await sleep(options.restartDelayMs ?? 5000, signal).catch(() => undefined);
      }
    }
  }

  const channel: WhatsAppCloudChannel = {
    name: 'whatsapp',
    typingRefreshMs: options.typingRefreshMs ?? 20_000,

    async sendText(chatId, text, sendOptions) {
      const waId = waIdOf(chatId);
      for (const piece of splitText(withNumberedChoices(text, sendOptions?.buttons ?? []), TEXT_LIMIT)) {
        if (!(await deliver(waId, textMessage(waId, piece), text, sendOptions?.signal))) return;
      }
    },

    async sendTyping(chatId, sendOptions) {
      const messageId = lastMessageOf.get(chatId);
      if (messageId === undefined) return; // nothing received from this chat in this run: no message to mark read
      await call(() => graph.postMessage(typingIndicator(messageId), sendOptions?.signal), sendOptions?.signal, false);
    },

    async sendPhoto(chatId, photoUrl, caption, sendOptions) {
      const waId = waIdOf(chatId);
      await deliver(waId, imageMessage(waId, photoUrl, caption), caption === '' ? photoUrl : `${caption}\n${photoUrl}`, sendOptions?.signal);
    },

    async sendButtons(chatId, body, choices, sendOptions) {
      const waId = waIdOf(chatId);
      await deliver(waId, buttonsMessage(waId, body, choices), body, sendOptions?.signal);
    },

    async sendList(chatId, body, buttonLabel, choices, sendOptions) {
      const waId = waIdOf(chatId);
      await deliver(waId, listMessage(waId, body, buttonLabel, choices), body, sendOptions?.signal);
    },

    async sendChoices(chatId, body, choices, sendOptions) {
      const waId = waIdOf(chatId);
      await deliver(waId, choicesMessage(waId, body, choices, sendOptions?.listLabel ?? 'Choisir'), body, sendOptions?.signal);
    },

    downloadMediaById(mediaId, signal) {
      const download = () => downloadMedia(graph, mediaId, { ...options, maxBytes: options.maxMediaBytes ?? 16 * 1024 * 1024, signal });
      return call(download, signal);
    },

    downloadMedia(message, mediaOptions) {
      return downloadMessageMedia(message, mediaOptions, (mediaId, maxBytes, signal) => {
        const limit = Math.min(maxBytes, options.maxMediaBytes ?? 16 * 1024 * 1024);
        return call(() => downloadMedia(graph, mediaId, { ...options, maxBytes: limit, signal }), signal);
      });
    },

    routes(app) {
      addCloudWebhook(app, {
        path: webhookPath,
        appSecret: options.appSecret,
        verifyToken: options.verifyToken,
        timeoutMs: options.webhookTimeoutMs ?? 5000,
        maxBodyBytes: 1024 * 1024,
        accepting: () => accepting && onMessage !== undefined,
        take,
        onError: (error) => log.error({ err: error }, 'whatsapp: webhook not handled'),
      });
    },

    async start(handler) {
      onMessage = handler;
      accepting = true;
      stopped = new AbortController();
      state = refusal ? { state: 'degraded', detail: refusal } : { state: 'starting' };
      checking = checkNumber(stopped.signal);
    },

    async stop() {
      // Meta keeps retrying what it could not deliver meanwhile (503), for the next start.
      accepting = false;
      stopped.abort();
      await checking;
      await Promise.allSettled(inFlight);
      state = { state: 'stopped' };
    },

    status: () => state,
  };
  return channel;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
