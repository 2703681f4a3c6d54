import PgBoss from 'pg-boss';
import type { Channel } from '../core/channel.js';
import type { Engine } from '../core/engine.js';
import type { HistoryStore } from '../core/history.js';
import type { InboundJournal, UnansweredEntry } from '../core/journal.js';
import type { Logger } from '../infra/logger.js';
import type { Metrics } from '../infra/metrics.js';
import { storeOn } from '../store/sql-store.js';
import type { DurableQueue } from '../durable/queue.js';
import type { Store } from '../store/types.js';
import { createChatOwners } from './chats.js';
import { createPool, migrate } from './database.js';
import { createClusterHistory } from './history.js';
import { joinCluster, type ChatKey, type Instance } from './instance.js';
import { createJobQueue, QUEUE_OPTIONS } from './job-queue.js';
import { createClusterCheckoutStore, createRecords, loadHandoffState } from './records.js';
import { openClusterBlocklist } from './blocklist.js';
import type { Blocklist } from '../abuse/blocklist.js';
import type { CheckoutStore } from '../shop/checkout/store.js';
import type { HandoffStateFile } from '../handoff/state-file.js';
import { createClusterJournal } from './journal.js';
import { addClusterMetrics } from './metrics.js';
import { createClusterChatHub, createClusterChatLog, sharedVisitorSecret, type ClusterChatHub, type ClusterChatLog, type WebChatEvent } from './web-chat.js';

export { ClusterError } from './database.js';
export type { ChatKey, Instance } from './instance.js';
export type { ClusterChatHub, ClusterChatLog, WebChatEvent } from './web-chat.js';

/** What {@link createCluster} needs. */
export interface ClusterOptions {
  /** `DATABASE_URL`: a direct (or session-pooled) Postgres connection string. */
  readonly databaseUrl: string;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** How often the chats of dead instances are looked for and taken over. Default 500 ms. */
  readonly sweepMs?: number;
  /** How often this instance checks its own chats for a message whose notification it missed. Default 2 s. */
  readonly pollMs?: number;
  /** This instance's lock session died: it must stop (another instance may answer its chats already). */
  readonly onLost: (error: unknown) => void;
}

/** The pg-boss queues of akwaba (`akwaba-<name>`). */
export const QUEUE_NAMES = ['deliveries', 'orders'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** What runs on one instance only, with its lock key. */
export const ALONE = { 'telegram-polling': 1, 'whatsapp-web': 2 } as const;
export type AloneWork = keyof typeof ALONE;

/** This instance's place in the shared mode, as `/healthz` shows it. */
export interface ClusterHealth {
  readonly mode: 'shared';
  readonly instance: string;
  readonly id: number;
}

/**
 * The shared mode: several instances on one Postgres. Each chat is answered by one instance
 * (its conversation's turns, deadlines and supersede rule live in that process); any instance
 * receives, journals and routes; a dead instance's chats are swept up by the living within a
 * sweep (its lock vanishes with its process), their fallbacks sent at once if their deadline
 * passed and their answers given late.
 */
export interface Cluster {
  readonly instance: Instance;
  readonly journal: InboundJournal;
  readonly history: HistoryStore;
  /** The shop's data over the same connection (no embedded database in shared mode). */
  readonly store: Store;
  /** The order and delivery queues, on pg-boss: each item handled by one instance, taken back from a dead one. */
  queue<T>(name: QueueName): DurableQueue<T>;
  /** Checkouts under way, in `cluster.records`. */
  readonly checkouts: CheckoutStore;
  /** The handed-off chats, in `cluster.records`; a change on one instance reaches the others at once. */
  readonly handoffs: HandoffStateFile;
  /** Blocked customers, in `cluster.records`; a change on one instance reaches the others at once. */
  readonly blocklist: Blocklist;
  /**
   * The web chat across instances: one visitor-id secret for all, the visitors' chats in
   * Postgres, and replies announced on `LISTEN/NOTIFY` to the instance holding the visitor's page.
   */
  webChat<E extends WebChatEvent>(options?: { readLimit?: number }): Promise<{ visitorSecret: Buffer; chatLog: ClusterChatLog<E>; hub: ClusterChatHub }>;
  /** Hands chats to the engine from now on: routed here, taken over, or found by the safety poll. */
  start(engine: Pick<Engine, 'adopt'>, channelOf: (name: string) => Channel | undefined): void;
  /**
   * Runs `start` on one instance only (the one that takes the lock for `what` first, then the
   * next when it dies): Telegram long polling, the WhatsApp Web session. Retries in the background.
   */
  startAlone(what: AloneWork, start: () => Promise<void>): void;
  /** Stops taking chats over (shutdown begins); routed chats are still taken while the engine drains. */
  stopTakingOver(): void;
  /**
   * Takes no more messages at all (the engine has drained): what is routed here from now on
   * stays open in the journal, for the others once this instance is gone.
   */
  stopAdopting(): void;
  /** Releases the lock (the others take over what is left) and the connections. */
  close(): Promise<void>;
  health(): ClusterHealth;
}

/**
 * Connects, migrates (the same migrations as every store, plus `cluster.*`), registers this
 * instance and takes its lock.
 *
 * @example
 * const cluster = await createCluster({ databaseUrl: config.cluster.databaseUrl, logger, onLost: () => process.exit(1) });
 * const engine = createEngine({ ...clients, journal: cluster.journal, history: cluster.history });
 * cluster.start(engine, channelOf);
 */
export async function createCluster(options: ClusterOptions): Promise<Cluster> {
  const { logger } = options;
  const pool = createPool(options.databaseUrl);
  await migrate(pool);
  let hand: ((chats: readonly ChatKey[]) => Promise<void>) | undefined;
  let webHub: ClusterChatHub | undefined;
  /** What each kind of shared state does when another instance changed it. */
  const reloads = new Map<string, () => Promise<void>>();
  const instance = await joinCluster({
    databaseUrl: options.databaseUrl,
    pool,
    logger,
    onTake: (chat) => void hand?.([chat]).catch((error: unknown) => logger.warn({ err: error }, 'cluster: chat not taken; the safety poll will')),
    onChanged: (kind) => {
      reloads.get(kind)?.().catch((error: unknown) => logger.warn({ err: error, kind }, 'cluster: shared state not reloaded'));
    },
    onWeb: (payload) => webHub?.heard(payload),
    onLost: (error) => {
      logger.error({ err: error }, 'cluster: this instance lost its lock; stopping');
      options.onLost(error);
    },
  });
  const owners = createChatOwners(pool, instance.id);
  const boss = await startJobQueues(options.databaseUrl, logger);
  const takeovers = options.metrics && addClusterMetrics(options.metrics, pool);

  async function route(chat: ChatKey): Promise<void> {
    try {
      const claim = await owners.claim(chat);
      if (claim.takenOver) logger.info({ to: claim.owner }, 'cluster: chat of a dead instance taken over on its next message');
      if (claim.owner === instance.id) await hand?.([chat]);
      else await instance.notify(claim.owner, chat);
    } catch (error) {
      // Durable already: the owner's poll or a sweep hands it out.
      logger.error({ err: error }, 'cluster: message not routed; the safety poll will');
    }
  }

  const journal = createClusterJournal(pool, { route });
  const records = createRecords(pool);
  const handoffs = await loadHandoffState(records, { changed: () => instance.changed('handoffs'), logger });
  const blocklist = await openClusterBlocklist(records, { changed: () => instance.changed('blocklist'), logger });
  reloads.set('handoffs', handoffs.reload).set('blocklist', blocklist.reload);
  /** The next run of each background pass (and of a lock attempt), by name. */
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  let taking = false;
  let stopping = false;
  let adopting = true;

  function every(name: string, ms: number, work: () => Promise<void>): void {
    const tick = async () => {
      if (!taking) return;
      await work().catch((error: unknown) => logger.warn({ err: error, pass: name }, 'cluster: background pass failed'));
      if (taking) timers.set(name, setTimeout(() => void tick(), ms));
    };
    timers.set(name, setTimeout(() => void tick(), ms));
  }
  const clearTimers = () => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
  };

  return {
    instance,
    journal,
    history: createClusterHistory(pool),
    store: storeOn({ query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await pool.query(sql, params)).rows as T[] }), close: async () => undefined }, 'postgres'),
    checkouts: createClusterCheckoutStore(records),
    handoffs,
    blocklist,
    queue: <T>(name: QueueName) => createJobQueue<T>(boss, `akwaba-${name}`),
    async webChat<E extends WebChatEvent>(webOptions: { readLimit?: number } = {}) {
      webHub ??= createClusterChatHub(pool, instance.id, logger);
      const chatLog = createClusterChatLog<E>(pool, { logger, ...(webOptions.readLimit !== undefined && { readLimit: webOptions.readLimit }) });
      return { visitorSecret: await sharedVisitorSecret(records), chatLog, hub: webHub };
    },
    start(engine, channelOf) {
      hand = async (chats) => {
        const entries = await owners.open(chats);
        const taken = stopping ? leftForTheNext(entries) : entries;
        if (taken.length > 0 && adopting) engine.adopt(taken, channelOf);
      };
      taking = true;
      every('sweep', options.sweepMs ?? 500, async () => {
        const chats = await owners.sweep();
        if (chats.length === 0) return;
        takeovers?.inc(chats.length);
        logger.info({ chats: chats.length }, 'cluster: chats of a dead instance taken over');
        await hand?.(chats);
      });
      every('poll', options.pollMs ?? 2000, async () => {
        const entries = await owners.mine();
        if (entries.length > 0) engine.adopt(entries, channelOf);
      });
      every('compact', 60 * 60 * 1000, () => journal.compact());
    },
    startAlone(what, start) {
      const attempt = async () => {
        if (stopping) return;
        const held = await instance.tryLockAlone(ALONE[what]).catch((error: unknown) => {
          logger.warn({ err: error, what }, 'cluster: lock not checked; trying again');
          return false;
        });
        if (!held) {
          timers.set(`alone:${what}`, setTimeout(() => void attempt(), 2000));
          return;
        }
        logger.info({ what }, 'cluster: this instance runs it alone');
        await start().catch((error: unknown) => logger.error({ err: error, what }, 'cluster: could not start'));
      };
      void attempt();
    },
    stopTakingOver() {
      stopping = true;
      taking = false;
      clearTimers();
      owners.leave().catch((error: unknown) => logger.warn({ err: error }, 'cluster: could not say this instance is leaving'));
    },
    stopAdopting() {
      adopting = false;
    },
    async close() {
      adopting = false;
      stopping = true;
      taking = false;
      clearTimers();
      await journal.close();
      await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
      await instance.close();
      await pool.end().catch(() => undefined);
    },
    health: () => ({ mode: 'shared', instance: instance.name, id: instance.id }),
  };
}

/** pg-boss in its own schema (`pgboss`), with akwaba's queues; its maintenance runs on one instance at a time. */
async function startJobQueues(databaseUrl: string, logger: Logger): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: databaseUrl, max: 2, schedule: false });
  boss.on('error', (error) => logger.warn({ err: error }, 'cluster: job queue error'));
  await boss.start();
  for (const name of QUEUE_NAMES) await boss.createQueue(`akwaba-${name}`, { name: `akwaba-${name}`, ...QUEUE_OPTIONS });
  return boss;
}

/**
 * While this instance shuts down, a chat with a message left open after its fallback (the
 * answer is for the next instance) is left whole to the next instance: answering its newer
 * message here would answer it before the older ones.
 */
function leftForTheNext(entries: readonly UnansweredEntry[]): UnansweredEntry[] {
  const chatOf = (entry: UnansweredEntry) => `${entry.message.channel}:${entry.message.chatId}`;
  const waiting = new Set(entries.filter((entry) => entry.fallbackAt !== undefined).map(chatOf));
  return entries.filter((entry) => !waiting.has(chatOf(entry)));
}
