/**
 * Making the payment link of a recorded order, and never losing it: the job is on disk
 * (`DATA_DIR/queues/payment-links`) before the provider is called, and stays there until the
 * link is recorded and on its way to the customer. While the provider is down the customer is
 * told the link follows; after `giveUpAfterMs`, cash on delivery.
 */
import { randomBytes } from 'node:crypto';
import type { Deliveries } from '../../durable/deliveries.js';
import type { DurableQueue } from '../../durable/queue.js';
import type { Logger } from '../../infra/logger.js';
import { OrderRejectedError } from '../../store/errors.js';
import type { Payment } from '../../store/payments.js';
import type { Store } from '../../store/types.js';
import { linkFollowsMessage, linkMessage, noLinkMessage, ownerNoLinkNotice, payButtonLabel, type PaymentFacts } from './texts.js';
import { PaymentProviderError, type PaymentProvider } from './types.js';

/** A recorded order to make a link for: amounts come from the order as the database returned it. */
export interface OrderToPay {
  readonly orderId: string;
  readonly orderNumber: number;
  /** The order's total, delivery included (whole FCFA). */
  readonly amountFcfa: number;
  /** Where the customer ordered from: the link goes there. */
  readonly channel: string;
  readonly chatId: string;
}

/** A link waiting in the durable queue. */
export interface LinkJob extends OrderToPay {
  /** Epoch ms of the first attempt: the give-up delay counts from it. */
  readonly since: number;
  /** Epoch ms before which no new attempt is made. */
  readonly nextAttemptAt: number;
}

/** What the customer was offered for an order, for the model's words. */
export type PaymentOffer =
  | { readonly kind: 'link'; readonly provider: string; readonly orderNumber: number; readonly amountFcfa: number }
  | { readonly kind: 'link_follows'; readonly provider: string; readonly orderNumber: number; readonly amountFcfa: number }
  | { readonly kind: 'cash_on_delivery'; readonly orderNumber: number; readonly amountFcfa: number }
  | { readonly kind: 'already'; readonly status: Payment['status']; readonly orderNumber: number; readonly amountFcfa: number };

/** Options of {@link createLinkMaker}. */
export interface LinkMakerOptions {
  readonly store: Pick<Store, 'findPayment' | 'openPayment'>;
  readonly provider: PaymentProvider;
  readonly deliveries: Pick<Deliveries, 'send'>;
  readonly notifyOwner: (key: string, text: string) => Promise<void>;
  readonly queue: DurableQueue<LinkJob>;
  readonly shopName: string;
  readonly logger: Logger;
  readonly now: () => number;
  /** First status check after a link is made. */
  readonly firstCheckAfterMs: number;
  /** How long a link lives when the provider does not say. */
  readonly linkValidMs: number;
  /** First wait before trying again, doubling up to 10 minutes. */
  readonly retryMs: number;
  readonly giveUpAfterMs: number;
}

/** Makes links; {@link LinkMaker.flush} retries the waiting ones. */
export interface LinkMaker {
  make(order: OrderToPay): Promise<PaymentOffer>;
  flush(): Promise<void>;
}

const OPEN: ReadonlySet<Payment['status']> = new Set(['pending', 'paid', 'review']);

/** Creates the link maker. */
export function createLinkMaker(options: LinkMakerOptions): LinkMaker {
  const { store, provider, deliveries, queue, logger, now } = options;
  const busy = new Map<string, Promise<PaymentOffer>>();
  const keyOf = (orderId: string) => `payment-link-${orderId}`;

  function attempt(job: LinkJob, attempts: number): Promise<PaymentOffer> {
    let running = busy.get(job.orderId);
    if (!running) {
      running = makeLink(job, attempts).finally(() => busy.delete(job.orderId));
      busy.set(job.orderId, running);
    }
    return running;
  }

  async function makeLink(job: LinkJob, attempts: number): Promise<PaymentOffer> {
    const facts: PaymentFacts = { orderNumber: job.orderNumber, amountFcfa: job.amountFcfa };
    try {
      const existing = await store.findPayment({ orderId: job.orderId });
      let payment = existing && OPEN.has(existing.status) ? existing : undefined;
      if (payment && payment.status !== 'pending') {
        await queue.remove(keyOf(job.orderId));
        return { kind: 'already', status: payment.status, ...facts };
      }
      if (!payment) {
        const reference = `AKW-${job.orderNumber}-${randomBytes(3).toString('hex')}`;
        const created = await provider.create({
          reference,
          amountFcfa: job.amountFcfa,
          orderNumber: job.orderNumber,
          description: `${options.shopName} commande ${job.orderNumber}`,
        });
        const at = now();
        const opened = await store.openPayment({
          orderId: job.orderId,
          provider: provider.name,
          reference,
          providerRef: created.providerRef,
          url: created.url,
          amountFcfa: job.amountFcfa,
          expiresAt: created.expiresAt ?? at + options.linkValidMs,
          nextCheckAt: at + options.firstCheckAfterMs,
        });
        payment = opened.payment;
        logger.info({ order: job.orderNumber, provider: provider.name, reference: payment.reference }, 'payment link made');
      }
      const link = { label: payButtonLabel(facts), url: payment.url };
      await deliveries.send(`customer-payment-link-${payment.id}`, { channel: job.channel, chatId: job.chatId, text: linkMessage(facts, provider.label), link, customer: true });
      await queue.remove(keyOf(job.orderId));
      return { kind: 'link', provider: provider.label, ...facts };
    } catch (error) {
      const final = (error instanceof PaymentProviderError && error.code === 'provider_refused') || error instanceof OrderRejectedError;
      if (final || now() - job.since >= options.giveUpAfterMs) return giveUp(job, facts, error);
      logger.warn({ err: error, order: job.orderNumber, attempts: attempts + 1 }, 'payment link not made yet; will retry');
      // Doubling, but the last try comes when the give-up time does, not after it.
      const wait = Math.min(10 * 60_000, options.retryMs * 2 ** attempts, Math.max(0, job.since + options.giveUpAfterMs - now()));
      await queue.put(keyOf(job.orderId), { ...job, nextAttemptAt: now() + wait }, attempts + 1).catch((failure: unknown) => {
        logger.error({ err: failure, order: job.orderNumber }, 'payment link job could not be kept');
      });
      if (attempts === 0) {
        await deliveries.send(`customer-payment-link-follows-${job.orderId}`, { channel: job.channel, chatId: job.chatId, text: linkFollowsMessage(facts), customer: true });
      }
      return { kind: 'link_follows', provider: provider.label, ...facts };
    }
  }

  async function giveUp(job: LinkJob, facts: PaymentFacts, error: unknown): Promise<PaymentOffer> {
    logger.error({ err: error, order: job.orderNumber }, 'payment link given up: cash on delivery');
    await queue.remove(keyOf(job.orderId)).catch(() => undefined);
    await deliveries.send(`customer-payment-no-link-${job.orderId}`, { channel: job.channel, chatId: job.chatId, text: noLinkMessage(facts), customer: true });
    const reason = error instanceof PaymentProviderError || error instanceof OrderRejectedError ? error.message : 'indisponible';
    await options.notifyOwner(`owner-payment-no-link-${job.orderId}`, ownerNoLinkNotice(facts, provider.label, reason));
    return { kind: 'cash_on_delivery', ...facts };
  }

  return {
    async make(order) {
      const job: LinkJob = { ...order, since: now(), nextAttemptAt: now() };
      // On disk before the provider is called: a crash now still ends with a link, or with cash.
      await queue.put(keyOf(order.orderId), job).catch((error: unknown) => {
        logger.error({ err: error, order: order.orderNumber }, 'payment link job could not be written; trying without a safety net');
      });
      return attempt(job, 0);
    },
    async flush() {
      for (const { item, attempts } of await queue.list()) {
        if (item.nextAttemptAt > now()) continue;
        await attempt(item, attempts);
      }
    },
  };
}
