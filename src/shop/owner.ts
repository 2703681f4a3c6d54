import type { Deliveries } from '../durable/deliveries.js';
import type { Logger } from '../infra/logger.js';

/** Where the shop owner is told things: a chat on one of the channels. */
export interface OwnerAddress {
  readonly channel: string;
  readonly chatId: string;
}

/** Tells the shop owner (new orders, handoffs, alerts, the daily summary). */
export type NotifyOwner = (key: string, text: string) => Promise<void>;

/**
 * The owner's notices: written durably and retried until delivered (the same key is told
 * once), on the owner's chat; without an address they are only logged.
 *
 * @example
 * const notifyOwner = ownerNotices({ deliveries, owner: { channel: 'telegram', chatId: config.ownerTelegramChatId }, logger });
 */
export function ownerNotices(options: { deliveries: Deliveries; owner: OwnerAddress | undefined; logger: Logger }): NotifyOwner {
  const { deliveries, owner, logger } = options;
  return async (key, text) => {
    if (owner) await deliveries.send(key, { channel: owner.channel, chatId: owner.chatId, text });
    else logger.info({ notice: key }, 'owner notice not sent: OWNER_TELEGRAM_CHAT_ID is not set');
  };
}
