import type PgBoss from 'pg-boss';
import type { DurableQueue, QueuedItem } from '../durable/queue.js';
import { ClusterError } from './database.js';

/** How long a put item waits before another instance may fetch it: the putter's own first try. */
const OWN_TRY_SECONDS = 30;

/** What a job of a {@link createJobQueue} carries. */
interface JobData<T> {
  readonly key: string;
  readonly enqueuedAt: number;
  readonly attempts: number;
  readonly item: T;
}

/** The queue options every akwaba queue is created with. */
export const QUEUE_OPTIONS = {
  // One queued job per key: putting the same key twice keeps one, as the file queue does.
  policy: 'short',
  // A job fetched by an instance that dies comes back to the others after this long.
  expireInSeconds: 5 * 60,
  retryLimit: 1000,
  retryDelay: 10,
} as const;

/**
 * A {@link DurableQueue} on a pg-boss queue, shared by every instance (the order and delivery
 * queues of the shared mode). `list` fetches: the items it returns are this instance's to
 * handle (pg-boss gives each job to one instance, and gives it back to the others if this one
 * dies holding it); `remove` completes one; `put` of a held item (a failed try) sends it again
 * for later. A new item is this instance's to try first: the others see it only after
 * {@link OWN_TRY_SECONDS}.
 */
export function createJobQueue<T>(boss: PgBoss, name: string): DurableQueue<T> {
  /** Jobs this instance fetched and has not finished, by key. */
  const held = new Map<string, { id: string; entry: QueuedItem<T> }>();
  /** Jobs this instance sent and is trying itself, by key. */
  const own = new Map<string, string>();

  async function call<R>(operation: string, work: () => Promise<R>): Promise<R> {
    try {
      return await work();
    } catch (error) {
      throw new ClusterError(`queue.${name}.${operation}`, { cause: error });
    }
  }

  return {
    async put(key, item, attempts = 0) {
      const before = held.get(key);
      const data: JobData<T> = { key, enqueuedAt: before?.entry.enqueuedAt ?? Date.now(), attempts, item };
      await call('put', async () => {
        if (before) {
          held.delete(key);
          await boss.complete(name, before.id);
        }
        const id = await boss.send(name, data as unknown as object, { singletonKey: key, startAfter: before ? QUEUE_OPTIONS.retryDelay : OWN_TRY_SECONDS });
        if (id && !before) own.set(key, id);
      });
    },
    async list() {
      const jobs = await call('fetch', () => boss.fetch<JobData<T>>(name, { batchSize: 50 }));
      for (const job of jobs) held.set(job.data.key, { id: job.id, entry: { ...job.data } });
      return [...held.values()].map((job) => job.entry).sort((a, b) => a.enqueuedAt - b.enqueuedAt);
    },
    async remove(key) {
      const fetched = held.get(key);
      const sent = own.get(key);
      held.delete(key);
      own.delete(key);
      await call('remove', async () => {
        if (fetched) await boss.complete(name, fetched.id);
        if (sent) await boss.deleteJob(name, sent);
      });
    },
  };
}
