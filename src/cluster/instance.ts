import { hostname } from 'node:os';
import pg from 'pg';
import type { Logger } from '../infra/logger.js';
import { ClusterError, LOCK_SPACE } from './database.js';
import { WEB_CHANNEL } from './web-chat.js';

/** The channel on which an instance is told to take a chat's messages. */
export const TAKE_CHANNEL = 'akwaba_take';
/** The channel on which every instance hears that shared state (the blocklist) changed. */
export const CHANGED_CHANNEL = 'akwaba_changed';

/**
 * This process as one instance of the shared mode: a row in `cluster.instances` and one
 * session that holds the instance's advisory lock for as long as the process lives (that lock
 * is its liveness: Postgres drops it the moment the process or its connection dies) and
 * listens for the chats it is asked to take.
 */
export interface Instance {
  readonly id: number;
  /** `host-pid`: what `/healthz` and the logs show. */
  readonly name: string;
  /** Tells instance `to` (maybe this one) to look at a chat's open messages. */
  notify(to: number, chat: ChatKey): Promise<void>;
  /** Tells every instance (this one too) that the shared `kind` of state changed. */
  changed(kind: string): Promise<void>;
  /**
   * Takes lock `key` of the "one instance only" space (the Telegram poller, the WhatsApp Web
   * session) if nobody holds it; held for this instance's life. `false` when another holds it.
   */
  tryLockAlone(key: number): Promise<boolean>;
  /** Releases the lock: the other instances take this one's chats over. */
  close(): Promise<void>;
}

/** One customer's chat on one channel. */
export interface ChatKey {
  readonly channel: string;
  readonly chatId: string;
}

/** What {@link joinCluster} needs. */
export interface InstanceOptions {
  readonly databaseUrl: string;
  readonly pool: pg.Pool;
  readonly logger: Logger;
  /** A chat this instance is asked to take (a message another instance received). */
  readonly onTake: (chat: ChatKey) => void;
  /** Some instance changed the shared `kind` of state (e.g. `blocklist`). */
  readonly onChanged?: (kind: string) => void;
  /** A web chat signal (`NOTIFY akwaba_web`), this instance's own included. */
  readonly onWeb?: (payload: string) => void;
  /** The lock session died: another instance may already answer this one's chats. */
  readonly onLost: (error: unknown) => void;
}

/** Registers this process, takes its lock and starts listening. */
export async function joinCluster(options: InstanceOptions): Promise<Instance> {
  const name = `${hostname()}-${process.pid}`;
  const session = new pg.Client({ connectionString: options.databaseUrl, keepAlive: true });
  let closing = false;
  let id: number;
  try {
    await session.connect();
    const { rows } = await session.query<{ id: string }>('INSERT INTO cluster.instances (name) VALUES ($1) RETURNING id', [name]);
    id = Number(rows[0]!.id);
    await session.query('SELECT pg_advisory_lock($1, $2)', [LOCK_SPACE, id]);
    await session.query(`LISTEN ${TAKE_CHANNEL}`);
    await session.query(`LISTEN ${CHANGED_CHANNEL}`);
    await session.query(`LISTEN ${WEB_CHANNEL}`);
  } catch (error) {
    await session.end().catch(() => undefined);
    throw new ClusterError('instance.join', { cause: error });
  }
  const lost = (error: unknown) => {
    if (closing) return;
    closing = true;
    options.onLost(error);
  };
  session.on('error', lost);
  session.on('end', () => lost(new Error('the lock session ended')));
  session.on('notification', (message) => {
    if (message.channel === CHANGED_CHANNEL && message.payload) return options.onChanged?.(message.payload);
    if (message.channel === WEB_CHANNEL && message.payload) return options.onWeb?.(message.payload);
    if (message.channel !== TAKE_CHANNEL || !message.payload) return;
    try {
      const { to, channel, chatId } = JSON.parse(message.payload) as { to: number; channel: string; chatId: string };
      if (to === id) options.onTake({ channel, chatId });
    } catch (error) {
      options.logger.warn({ err: error }, 'cluster: unreadable notification ignored');
    }
  });
  return {
    id,
    name,
    async notify(to, chat) {
      try {
        await options.pool.query('SELECT pg_notify($1, $2)', [TAKE_CHANNEL, JSON.stringify({ to, channel: chat.channel, chatId: chat.chatId })]);
      } catch (error) {
        throw new ClusterError('instance.notify', { cause: error });
      }
    },
    async changed(kind) {
      try {
        await options.pool.query('SELECT pg_notify($1, $2)', [CHANGED_CHANNEL, kind]);
      } catch (error) {
        throw new ClusterError('instance.changed', { cause: error });
      }
    },
    async tryLockAlone(key) {
      try {
        const { rows } = await session.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS held', [LOCK_SPACE + 1, key]);
        return rows[0]?.held === true;
      } catch (error) {
        throw new ClusterError('instance.lock', { cause: error });
      }
    },
    async close() {
      if (closing) return;
      closing = true;
      await session.end().catch(() => undefined);
    },
  };
}
