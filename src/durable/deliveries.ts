import type { DurableQueue } from './queue.js';
import type { Logger } from '../infra/logger.js';
import { createRetryLoop } from './retry-loop.js';
import type { Channel, LinkButton } from '../core/channel.js';

/** A message that must reach someone (the owner, or a customer) even if a first try fails. */
export interface Delivery {
  readonly channel: string;
  readonly chatId: string;
  readonly text: string;
  /** To a customer: it leaves through their chat's one way out, in order with the rest. */
  readonly customer?: boolean;
  /** A button under the text (a payment link); channels without buttons get the address in the text. */
  readonly link?: LinkButton;
}

/** Sends messages that must not be lost: written to disk first, retried until delivered. */
export interface Deliveries {
  /** Queues durably, then tries at once; the same key is delivered once. Never throws. */
  send(key: string, delivery: Delivery): Promise<void>;
  /** Tries every waiting delivery now. */
  flush(): Promise<void>;
  start(): void;
  stop(): void;
}

/**
 * Creates the delivery service over a durable queue and the running channels.
 *
 * @param options.channelOf finds a channel by name (`telegram`…); unknown channels wait.
 * @param options.sayToCustomer sends to a customer through their chat's way out (the engine's
 * `say`); resolves `false` when it was not delivered.
 */
export function createDeliveries(options: {
  queue: DurableQueue<Delivery>;
  channelOf: (name: string) => Channel | undefined;
  sayToCustomer?: (channel: Channel, chatId: string, text: string, link?: LinkButton) => Promise<boolean>;
  logger: Logger;
  retryMs?: number;
}): Deliveries {
  const { queue, logger } = options;

  async function attempt(key: string, delivery: Delivery, attempts: number): Promise<boolean> {
    const channel = options.channelOf(delivery.channel);
    try {
      if (!channel) throw new Error(`channel ${delivery.channel} is not running`);
      await deliver(channel, delivery);
      await queue.remove(key);
      return true;
    } catch (error) {
      await queue.put(key, delivery, attempts + 1).catch(() => undefined);
      logger.warn({ err: error, delivery: key, attempts: attempts + 1 }, 'delivery failed; will retry');
      return false;
    }
  }

  async function flushOnce(): Promise<void> {
    for (const { key, item, attempts } of await queue.list()) {
      if (!(await attempt(key, item, attempts))) break; // the channel is down: try later, in order
    }
  }

  /** A refused button (say, an address the platform will not link) still leaves as text. */
  async function deliver(channel: Channel, delivery: Delivery): Promise<void> {
    const { link } = delivery;
    if (delivery.customer && options.sayToCustomer) {
      if (!(await options.sayToCustomer(channel, delivery.chatId, delivery.text, link))) throw new Error('not delivered');
      return;
    }
    if (!link) return channel.sendText(delivery.chatId, delivery.text);
    if (channel.sendLink) {
      try {
        return await channel.sendLink(delivery.chatId, delivery.text, link);
      } catch (error) {
        logger.warn({ err: error, channel: channel.name }, 'link button refused; sending the address as text');
      }
    }
    return channel.sendText(delivery.chatId, `${delivery.text}\n👉 ${link.url}`);
  }

  const deliveries: Deliveries = {
    async send(key, delivery) {
      try {
        await queue.put(key, delivery);
      } catch (error) {
        logger.error({ err: error, delivery: key }, 'delivery could not be queued; sending without a safety net');
      }
      await attempt(key, delivery, 0);
    },
    ...createRetryLoop({ pass: flushOnce, logger, what: 'delivery queue', retryMs: options.retryMs }),
  };
  return deliveries;
}
