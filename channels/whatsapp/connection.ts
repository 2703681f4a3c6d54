import type { Logger } from '../../src/infra/logger.js';
import type { Health } from '../../src/core/channel.js';
import type { WhatsAppClient, WhatsAppMessage } from './client.js';

/** A reply could not go out: WhatsApp is not connected and did not come back in time. */
export class WhatsAppNotReadyError extends Error {
  override readonly name = 'WhatsAppNotReadyError';
  readonly code = 'whatsapp_not_ready';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What the connection needs: how to build a client, the timing policy, and who to tell. */
export interface ConnectionOptions {
  readonly log: Logger;
  readonly createClient: () => WhatsAppClient;
  /** Scheduled browser restart period; 0: never. */
  readonly restartAfterMs: number;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly startTimeoutMs: number;
  readonly sendWaitMs: number;
  /** True while replies are in flight: a scheduled restart waits for a quiet moment. */
  readonly isBusy: () => boolean;
  readonly onQr?: (qr: string) => void;
  readonly onSessionLost?: (reason: string) => void;
  readonly onMessage: (message: WhatsAppMessage) => void;
  /** `current()` turns false once this client is replaced or closed. */
  readonly onReady: (client: WhatsAppClient, current: () => boolean) => void;
}

/** One WhatsApp Web session over time: clients come and go, the connection stays. */
export interface Connection {
  /** Starts connecting; `wasLinked` says a phone was linked before, so a QR code means the session was lost. */
  open(options: { wasLinked: boolean }): void;
  /** No scheduled browser restart any more (shutdown: replies are being finished). */
  holdRestarts(): void;
  close(): Promise<void>;
  state(): Health;
  qr(): string | null;
  /** The bot's own WhatsApp id, once connected. */
  botId(): string | undefined;
  /** The connected client, or a {@link WhatsAppNotReadyError} at once. */
  readyClient(): WhatsAppClient;
  /** The connected client, waiting up to `sendWaitMs` for a reconnection. */
  whenReady(signal?: AbortSignal): Promise<WhatsAppClient>;
}

const LOGGED_OUT = new Set<string>(['LOGOUT', 'UNPAIRED', 'UNPAIRED_IDLE']);
const DESTROY_TIMEOUT_MS = 15_000;
const QUIET_RECHECK_MS = 60_000;

/** Runs whatsapp-web.js clients: reconnects with backoff, restarts the browser on schedule, tracks the state. */
export function createConnection(options: ConnectionOptions): Connection {
  const { log } = options;
  let client: WhatsAppClient | undefined;
  let ready: WhatsAppClient | undefined;
  let readyDetail = 'connected';
  let generation = 0;
  let opened = false;
  let status: Health = { state: 'stopped' };
  let latestQr: string | null = null;
  let qrCount = 0;
  let failures = 0;
  let wasLinked = false;
  let lossReported = false;
  let restartsHeld = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let replacing: Promise<void> | undefined;
  const waiters = new Set<(outcome: WhatsAppClient | Error) => void>();

  function connect(): void {
    const id = ++generation;
    // Events of a replaced client are ignored: a new one is already on its way.
    const current = () => id === generation && opened;
    let fresh: WhatsAppClient;
    try {
      fresh = options.createClient();
    } catch (error) {
      reconnectLater(`WhatsApp client not created: ${describe(error)}`, error);
      return;
    }
    client = fresh;
    fresh.on('qr', (qr) => current() && onQr(qr));
    fresh.on('authenticated', () => {
      if (!current()) return;
      latestQr = null;
      status = { state: 'starting', detail: 'authenticated, loading the chats' };
      armWatchdog();
    });
    fresh.on('ready', () => current() && onReady(fresh, current));
    fresh.on('auth_failure', (message) => {
      if (!current()) return;
      sessionLost(`authentication failed: ${message}`);
      reconnectLater(`authentication failed: ${message}`);
    });
    fresh.on('disconnected', (reason) => {
      if (!current()) return;
      if (LOGGED_OUT.has(reason)) sessionLost(`logged out by WhatsApp (${reason})`);
      reconnectLater(`disconnected (${reason})`);
    });
    fresh.on('change_state', (state) => {
      if (!current()) return;
      log.info({ state }, `whatsapp: connection state ${state}`);
      if (!ready) return;
      status = state === 'CONNECTED'
        ? { state: 'ready', detail: readyDetail }
        : { state: 'degraded', detail: `WhatsApp connection state ${state}` };
    });
    fresh.on('message', (message) => current() && options.onMessage(message));
    armWatchdog();
    fresh.initialize().catch((error: unknown) => {
      if (current()) reconnectLater(`WhatsApp Web did not start: ${describe(error)}`, error);
    });
  }

  function onQr(qr: string): void {
    disarmWatchdog();
    ready = undefined;
    latestQr = qr;
    status = { state: 'starting', detail: 'scan the QR code' };
    if (wasLinked) sessionLost('WhatsApp asks for a new QR code scan');
    qrCount += 1;
    // whatsapp-web.js ships no QR renderer (qrcode-terminal is not installed): give the raw code.
    const line =
      "whatsapp: link the shop's phone (WhatsApp > Linked devices > Link a device) by scanning this QR code; " +
      `draw it with: qrencode -t ansiutf8 '${qr}'`;
    if (qrCount === 1) log.warn(line);
    else log.info(line);
    safely(log, 'onQr', () => options.onQr?.(qr));
  }

  function onReady(fresh: WhatsAppClient, current: () => boolean): void {
    disarmWatchdog();
    failures = 0;
    latestQr = null;
    wasLinked = true;
    lossReported = false;
    ready = fresh;
    readyDetail = fresh.info?.pushname ? `connected as ${fresh.info.pushname}` : 'connected';
    status = { state: 'ready', detail: readyDetail };
    log.info('whatsapp: connected, taking messages');
    for (const waiter of [...waiters]) waiter(fresh);
    scheduleRestart();
    options.onReady(fresh, current);
  }

  function sessionLost(reason: string): void {
    if (lossReported) return;
    lossReported = true;
    log.error(
      { reason },
      `whatsapp: session lost (${reason}): WhatsApp customers get no answer until the shop's phone scans a new QR code`,
    );
    safely(log, 'onSessionLost', () => options.onSessionLost?.(reason));
  }

  function reconnectLater(reason: string, error?: unknown): void {
    generation += 1;
    ready = undefined;
    disarmWatchdog();
    clearTimeout(restartTimer);
    status = { state: 'degraded', detail: reason };
    if (!opened || reconnectTimer) return;
    const delay = Math.min(options.maxReconnectDelayMs, options.reconnectDelayMs * 2 ** failures);
    failures += 1;
    log.error({ err: error, attempt: failures, delayMs: delay }, `whatsapp: ${reason}; reconnecting in ${Math.ceil(delay / 1000)} s`);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void replaceClient();
    }, delay);
  }

  function replaceClient(): Promise<void> {
    const old = client;
    client = undefined;
    ready = undefined;
    generation += 1;
    replacing = (async () => {
      if (old) await destroyWithin(old, DESTROY_TIMEOUT_MS, log);
      replacing = undefined;
      if (opened) connect();
    })();
    return replacing;
  }

  function scheduleRestart(): void {
    clearTimeout(restartTimer);
    if (options.restartAfterMs <= 0 || restartsHeld) return;
    const restartWhenQuiet = (): void => {
      if (!ready || !opened || restartsHeld) return;
      if (options.isBusy()) {
        restartTimer = setTimeout(restartWhenQuiet, QUIET_RECHECK_MS);
        return;
      }
      log.info('whatsapp: scheduled browser restart to give its memory back (the session is kept)');
      status = { state: 'starting', detail: 'scheduled browser restart' };
      void replaceClient();
    };
    restartTimer = setTimeout(restartWhenQuiet, options.restartAfterMs);
  }

  function armWatchdog(): void {
    disarmWatchdog();
    watchdog = setTimeout(
      () => reconnectLater(`WhatsApp Web showed neither a QR code nor the chats within ${options.startTimeoutMs} ms`),
      options.startTimeoutMs,
    );
  }

  function disarmWatchdog(): void {
    clearTimeout(watchdog);
    watchdog = undefined;
  }

  const notReady = () => new WhatsAppNotReadyError(`WhatsApp is not connected (${status.detail ?? status.state})`);

  return {
    open(openOptions) {
      restartsHeld = false;
      if (opened) {
        if (ready) scheduleRestart();
        return;
      }
      opened = true;
      wasLinked = openOptions.wasLinked;
      status = { state: 'starting', detail: 'launching WhatsApp Web' };
      connect();
    },

    holdRestarts() {
      restartsHeld = true;
      clearTimeout(restartTimer);
    },

    async close() {
      opened = false;
      generation += 1;
      for (const timer of [reconnectTimer, restartTimer, watchdog]) clearTimeout(timer);
      reconnectTimer = undefined;
      const closed = new WhatsAppNotReadyError('the WhatsApp channel is closed');
      for (const waiter of [...waiters]) waiter(closed);
      const old = client;
      client = undefined;
      ready = undefined;
      await replacing;
      if (old) await destroyWithin(old, DESTROY_TIMEOUT_MS, log);
      status = { state: 'stopped' };
    },

    state: () => status,
    qr: () => latestQr,
    botId: () => ready?.info?.wid?._serialized,

    readyClient() {
      if (!ready) throw notReady();
      return ready;
    },

    whenReady(signal) {
      if (ready) return Promise.resolve(ready);
      if (!opened) return Promise.reject(new WhatsAppNotReadyError('the WhatsApp channel is not running'));
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise((resolve, reject) => {
        const finish = (outcome: WhatsAppClient | Error): void => {
          clearTimeout(timer);
          waiters.delete(finish);
          signal?.removeEventListener('abort', onAbort);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        };
        const onAbort = () => finish(signal?.reason instanceof Error ? signal.reason : notReady());
        const timer = setTimeout(
          () => finish(new WhatsAppNotReadyError(`${notReady().message}, and it did not come back within ${options.sendWaitMs} ms`)),
          options.sendWaitMs,
        );
        waiters.add(finish);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

/** Closes a client's browser; a browser that hangs is left behind rather than blocking the reconnection. */
async function destroyWithin(client: WhatsAppClient, timeoutMs: number, log: Logger): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      log.warn('whatsapp: the browser did not close in time; going on without it');
      resolve();
    }, timeoutMs);
  });
  try {
    await Promise.race([client.destroy(), gaveUp]);
  } catch (error) {
    log.warn({ err: error }, 'whatsapp: the browser did not close cleanly');
  } finally {
    clearTimeout(timer);
  }
}

/** A callback of the app must not break the connection. */
function safely(log: Logger, what: string, callback: () => void): void {
  try {
    callback();
  } catch (error) {
    log.error({ err: error }, `whatsapp: ${what} callback failed`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
