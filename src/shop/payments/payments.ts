/**
 * The shop's payments: one link per recorded order, and reconciliation, not trust. A
 * notification, "j'ai payé" and a poller on a backoff all do the same thing: ask the provider
 * where the payment stands, and let the database move it along its state machine, at most
 * once. Whoever moves it, the news goes out once: the customer on their own channel, the
 * owner on Telegram.
 */
import type { Deliveries } from '../../durable/deliveries.js';
import type { DurableQueue } from '../../durable/queue.js';
import type { Logger } from '../../infra/logger.js';
import type { Payment, PaymentChange } from '../../store/payments.js';
import type { Store } from '../../store/types.js';
import { createLinkMaker, type LinkJob, type OrderToPay, type PaymentOffer } from './links.js';
import { CHECK_UNAVAILABLE, customerPaymentNews, ownerPaymentNews, paymentCheckAnswer } from './texts.js';
import type { PaymentNotification, PaymentProvider, PaymentProviderName } from './types.js';

export type { LinkJob, OrderToPay, PaymentOffer } from './links.js';

/** The timing of links and checks; every one has a default. */
export interface PaymentTiming {
  /** First status check after a link is made: a lost notification is noticed then. Default 60 s. */
  readonly firstCheckAfterMs: number;
  /** Checks back off, doubling, up to this. Default 30 min. */
  readonly maxCheckIntervalMs: number;
  /** How long a link lives when the provider does not say (CinetPay). Default 60 min. */
  readonly linkValidMs: number;
  /** A link past its expiry is still checked this long (a payment at the last second). Default 10 min. */
  readonly expiryGraceMs: number;
  /** How often due checks and waiting links are looked at. Default 15 s. */
  readonly pollEveryMs: number;
  /** First wait before trying again to make a link, doubling. Default 30 s. */
  readonly linkRetryMs: number;
  /** A link still not made after this: cash on delivery. Default 30 min. */
  readonly linkGiveUpAfterMs: number;
  /** After "j'ai payé" with nothing yet, the next check comes this soon. Default 30 s. */
  readonly recheckAfterClaimMs: number;
}

const DEFAULT_TIMING: PaymentTiming = {
  firstCheckAfterMs: 60_000,
  maxCheckIntervalMs: 30 * 60_000,
  linkValidMs: 60 * 60_000,
  expiryGraceMs: 10 * 60_000,
  pollEveryMs: 15_000,
  linkRetryMs: 30_000,
  linkGiveUpAfterMs: 30 * 60_000,
  recheckAfterClaimMs: 30_000,
};

/** The store's part the payments use. */
export type PaymentStore = Pick<
  Store,
  'findPayment' | 'openPayment' | 'settlePayment' | 'schedulePaymentCheck' | 'markPaymentNotified' | 'listPayments'
>;

/** Options of {@link createPayments}. */
export interface PaymentsOptions {
  readonly store: PaymentStore;
  /** Every configured provider; new links are made with the first. */
  readonly providers: readonly [PaymentProvider, ...PaymentProvider[]];
  readonly deliveries: Pick<Deliveries, 'send'>;
  /** Tells the owner on Telegram (durably); the same key is told once. */
  readonly notifyOwner: (key: string, text: string) => Promise<void>;
  /** Links waiting for the provider (`DATA_DIR/queues/payment-links`). */
  readonly linkQueue: DurableQueue<LinkJob>;
  readonly shopName: string;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly timing?: Partial<PaymentTiming>;
}

/** What "j'ai payé" found: the payment as it stands, and the answer for the customer. */
export interface CustomerCheck {
  readonly payment: Payment | null;
  readonly answer: string;
}

/** The shop's payments. */
export interface Payments {
  readonly providers: readonly PaymentProvider[];
  /**
   * The one start, for every flow that records an order: makes the link and sends it to the
   * customer, or tells them it follows. Never throws.
   */
  startPayment(order: OrderToPay): Promise<PaymentOffer>;
  /** What {@link startPayment} offered for an order recently (for the model's words). */
  offerFor(orderId: string): PaymentOffer | undefined;
  /** A verified notification: checks that payment with its provider now. Never throws. */
  notified(provider: PaymentProviderName, notification: PaymentNotification): Promise<void>;
  /** "J'ai payé": checks the customer's latest payment now and words the answer. Never throws. */
  checkForCustomer(customer: { readonly channel: string; readonly chatId: string }): Promise<CustomerCheck>;
  /** The owner notes a refund, or settles a payment under review. */
  settleByOwner(paymentId: string, status: 'paid' | 'refunded'): Promise<PaymentChange>;
  /** Retries waiting links, checks the due payments, sends the news not sent yet. */
  poll(): Promise<void>;
  start(): void;
  stop(): void;
}

const MAX_REMEMBERED = 1000;

/** Keeps the latest keys only: enough to recognise a repeat, bounded in memory. */
function trim(collection: Map<string, unknown> | Set<string>): void {
  for (const key of collection.keys()) {
    if (collection.size <= MAX_REMEMBERED) return;
    collection.delete(key);
  }
}

/** What a check found. */
interface Checked {
  readonly payment: Payment;
  /** False when the provider could not be asked. */
  readonly asked: boolean;
}

/** Creates the payments service. */
export function createPayments(options: PaymentsOptions): Payments {
  const { store, deliveries, logger } = options;
  const now = options.now ?? Date.now;
  const timing: PaymentTiming = { ...DEFAULT_TIMING, ...options.timing };
  const [linkProvider] = options.providers;
  const providerOf = (name: PaymentProviderName) => options.providers.find((provider) => provider.name === name);
  const links = createLinkMaker({
    store,
    provider: linkProvider,
    deliveries,
    notifyOwner: options.notifyOwner,
    queue: options.linkQueue,
    shopName: options.shopName,
    logger,
    now,
    firstCheckAfterMs: timing.firstCheckAfterMs,
    linkValidMs: timing.linkValidMs,
    retryMs: timing.linkRetryMs,
    giveUpAfterMs: timing.linkGiveUpAfterMs,
  });
  const offers = new Map<string, PaymentOffer>();
  const seenEvents = new Set<string>();
  const checking = new Map<string, Promise<Checked>>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let polling: Promise<void> | undefined;
  let news: Promise<void> | undefined;
  let newsAgain = false;

  /** One check per payment at a time: a webhook, the poller and the customer share it. */
  function check(payment: Payment): Promise<Checked> {
    let running = checking.get(payment.id);
    if (!running) {
      running = checkNow(payment).finally(() => checking.delete(payment.id));
      checking.set(payment.id, running);
    }
    return running;
  }

  async function checkNow(payment: Payment): Promise<Checked> {
    const provider = providerOf(payment.provider);
    if (!provider) {
      logger.warn({ reference: payment.reference, provider: payment.provider }, 'payment of a provider no longer configured: not checked');
      return { payment, asked: false };
    }
    let change: PaymentChange | undefined;
    try {
      const verdict = await provider.status(payment);
      if (verdict.state === 'paid') {
        change = await store.settlePayment(payment.id, {
          status: 'paid',
          by: 'provider',
          receivedAmount: verdict.amount,
          receivedCurrency: verdict.currency,
          ...(verdict.transactionId && { transactionId: verdict.transactionId }),
        });
      } else if (verdict.state === 'failed') {
        change = await store.settlePayment(payment.id, { status: 'failed', by: 'provider', detail: verdict.detail });
      } else if (verdict.state === 'expired' || (payment.expiresAt !== null && now() > payment.expiresAt + timing.expiryGraceMs)) {
        change = await store.settlePayment(payment.id, { status: 'expired', by: 'provider', detail: 'lien expiré sans paiement' });
      } else {
        await scheduleNext(payment);
      }
    } catch (error) {
      logger.warn({ err: error, reference: payment.reference }, 'payment status not known yet; will check again');
      await scheduleNext(payment).catch(() => undefined);
      return { payment, asked: false };
    }
    if (change?.changed) {
      logger.info({ reference: payment.reference, order: payment.orderNumber, status: change.payment.status }, 'payment settled');
      await sendNews();
    }
    return { payment: change?.payment ?? payment, asked: true };
  }

  function scheduleNext(payment: Payment, after?: number): Promise<void> {
    // 2, 4, 8… times the first delay after each check, up to the maximum.
    const backoff = Math.min(timing.maxCheckIntervalMs, timing.firstCheckAfterMs * 2 ** (payment.checks + 1));
    let next = now() + (after ?? backoff);
    // The last check comes right after the grace, not half an hour later.
    if (payment.expiresAt !== null) next = Math.min(next, Math.max(now(), payment.expiresAt + timing.expiryGraceMs) + 1000);
    return store.schedulePaymentCheck(payment.id, next);
  }

  /** Tells customer and owner what changed; one run at a time, run again if asked meanwhile. */
  function sendNews(): Promise<void> {
    if (news) {
      newsAgain = true;
      return news;
    }
    news = (async () => {
      do {
        newsAgain = false;
        for (const payment of await store.listPayments({ unnotified: true, limit: 50 })) await tell(payment);
      } while (newsAgain);
    })()
      .catch((error: unknown) => logger.error({ err: error }, 'payment news not sent yet; will retry'))
      .finally(() => (news = undefined));
    return news;
  }

  async function tell(payment: Payment): Promise<void> {
    const label = providerOf(payment.provider)?.label ?? payment.provider;
    const customer = customerPaymentNews(payment);
    if (customer) {
      await deliveries.send(`customer-payment-${payment.id}-${payment.status}`, { channel: payment.channel, chatId: payment.chatId, text: customer, customer: true });
    }
    const owner = ownerPaymentNews(payment, label);
    if (owner) await options.notifyOwner(`owner-payment-${payment.id}-${payment.status}`, owner);
    await store.markPaymentNotified(payment.id, payment.status);
  }

  async function pollOnce(): Promise<void> {
    await links.flush();
    for (const payment of await store.listPayments({ due: now(), limit: 20 })) await check(payment);
    await sendNews();
  }

  const payments: Payments = {
    providers: options.providers,

    async startPayment(order) {
      try {
        const offer = await links.make(order);
        offers.set(order.orderId, offer);
        trim(offers);
        return offer;
      } catch (error) {
        logger.error({ err: error, order: order.orderNumber }, 'payment not started');
        return { kind: 'cash_on_delivery', orderNumber: order.orderNumber, amountFcfa: order.amountFcfa };
      }
    },

    offerFor: (orderId) => offers.get(orderId),

    async notified(provider, notification) {
      try {
        if (!notification.reference || seenEvents.has(notification.eventId)) return;
        const payment = await store.findPayment({ reference: notification.reference });
        if (!payment || payment.provider !== provider) {
          logger.info({ provider }, 'notification about no payment of ours: ignored');
          return;
        }
        if (payment.status === 'pending' && !(await check(payment)).asked) return;
        seenEvents.add(notification.eventId);
        trim(seenEvents);
      } catch (error) {
        logger.error({ err: error, provider }, 'notification not acted on; the poller will check');
      }
    },

    async checkForCustomer(customer) {
      try {
        const payment = await store.findPayment(customer);
        if (!payment) return { payment: null, answer: paymentCheckAnswer(null, linkProvider.label) };
        const label = providerOf(payment.provider)?.label ?? payment.provider;
        if (payment.status !== 'pending') return { payment, answer: paymentCheckAnswer(payment, label) };
        const checked = await check(payment);
        if (!checked.asked) return { payment: checked.payment, answer: CHECK_UNAVAILABLE };
        if (checked.payment.status === 'pending') await scheduleNext(checked.payment, timing.recheckAfterClaimMs);
        return { payment: checked.payment, answer: paymentCheckAnswer(checked.payment, label) };
      } catch (error) {
        logger.warn({ err: error }, 'payment not checked for the customer');
        return { payment: null, answer: CHECK_UNAVAILABLE };
      }
    },

    async settleByOwner(paymentId, status) {
      const change = await store.settlePayment(paymentId, { status, by: 'owner' });
      if (change.changed) await sendNews();
      return change;
    },

    poll() {
      polling ??= pollOnce()
        .catch((error: unknown) => logger.warn({ err: error }, 'payments not checked this time'))
        .finally(() => (polling = undefined));
      return polling;
    },

    start() {
      timer ??= setInterval(() => void payments.poll(), timing.pollEveryMs);
      timer.unref();
      void payments.poll();
    },

    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
  return payments;
}
