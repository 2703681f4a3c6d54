import { BlocklistError, type BlockedCustomer, type Blocklist } from '../abuse/blocklist.js';
import type { Logger } from '../infra/logger.js';
import type { Records } from './records.js';

/** A {@link Blocklist} every instance shares, and what keeps this instance's copy fresh. */
export interface ClusterBlocklist extends Blocklist {
  /** Reads the list again (another instance changed it). */
  reload(): Promise<void>;
}

const KIND = 'blocked';
// A channel name has no colon: `telegram:123` names one chat.
const keyOf = (channel: string, chatId: string) => `${channel}:${chatId}`;

/**
 * The blocklist in `cluster.records` (kind `blocked`, one record per customer). `isBlocked` is
 * answered from memory, as for every incoming message; a change is written to Postgres first,
 * then announced (`changed`) so that every instance reloads its copy.
 */
export async function openClusterBlocklist(
  records: Records,
  options: { changed: () => Promise<void>; logger: Logger; now?: () => number },
): Promise<ClusterBlocklist> {
  const now = options.now ?? Date.now;
  let entries = new Map<string, BlockedCustomer>();
  let reloading: Promise<void> = Promise.resolve();
  function reload(): Promise<void> {
    // One at a time, in the order asked: a slow older read never lands after a newer one.
    reloading = reloading
      .catch(() => undefined)
      .then(async () => {
        const list = await records.list<BlockedCustomer>(KIND);
        entries = new Map(list.map((customer) => [keyOf(customer.channel, customer.chatId), customer]));
      });
    return reloading;
  }
  const announce = () => options.changed().catch((error: unknown) => options.logger.warn({ err: error }, 'cluster: blocklist change not announced'));
  function checked(channel: string, chatId: string): [string, string] {
    const [c, id] = [channel.trim(), chatId.trim()];
    if (!c || !id || c.length > 200 || id.length > 200) throw new BlocklistError('invalid_customer', 'a channel and a chat id (1 to 200 characters) are needed');
    return [c, id];
  }
  await reload();
  return {
    reload,
    isBlocked: (channel, chatId) => entries.has(keyOf(channel, chatId)),
    async block(rawChannel, rawChatId, blockOptions = {}) {
      const [channel, chatId] = checked(rawChannel, rawChatId);
      const key = keyOf(channel, chatId);
      const note = blockOptions.note?.trim().slice(0, 500);
      const customer: BlockedCustomer = { channel, chatId, since: entries.get(key)?.since ?? new Date(now()).toISOString(), ...(note && { note }) };
      try {
        await records.put(KIND, key, customer);
      } catch (error) {
        throw new BlocklistError('blocklist_unwritable', 'the blocklist could not be saved', { cause: error });
      }
      entries.set(key, customer);
      await announce();
    },
    async unblock(rawChannel, rawChatId) {
      const [channel, chatId] = checked(rawChannel, rawChatId);
      const key = keyOf(channel, chatId);
      if (!entries.has(key)) return false;
      try {
        await records.remove(KIND, key);
      } catch (error) {
        throw new BlocklistError('blocklist_unwritable', 'the blocklist could not be saved', { cause: error });
      }
      entries.delete(key);
      await announce();
      return true;
    },
    list: () => [...entries.values()],
  };
}
