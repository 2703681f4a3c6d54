/**
 * The payments service over a real embedded database, the real durable queues and deliveries,
 * a recording channel, and the fake providers, with a clock the test moves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Channel, LinkButton } from '../../../src/core/channel.js';
import { createDeliveries, type Delivery } from '../../../src/durable/deliveries.js';
import { createFileQueue } from '../../../src/durable/queue.js';
import { createLogger } from '../../../src/infra/logger.js';
import { createCinetPayProvider } from '../../../src/shop/payments/cinetpay/index.js';
import { createPayments, type LinkJob, type OrderToPay, type Payments, type PaymentTiming } from '../../../src/shop/payments/payments.js';
import type { PaymentProvider } from '../../../src/shop/payments/types.js';
import { createWaveProvider } from '../../../src/shop/payments/wave/index.js';
import { createEmbeddedStore } from '../../../src/store/embedded.js';
import type { PlacedOrder, Store } from '../../../src/store/types.js';
import { startFakeCinetPay, type FakeCinetPay } from '../../support/fake-cinetpay.js';
import { startFakeWave, type FakeWave } from '../../support/fake-wave.js';

export const PUBLIC_URL = 'https://boutique.mode-ivoire.ci';

/** What reached a chat: its text, and the button under it if any. */
export interface Sent {
  readonly chatId: string;
  readonly text: string;
  readonly link?: LinkButton;
}

export interface PaymentsHarness {
  readonly store: Store;
  /** This test's customer: a chat of its own. */
  readonly customer: { readonly channel: 'telegram'; readonly chatId: string };
  readonly wave: FakeWave;
  readonly cinetpay: FakeCinetPay;
  readonly dataDir: string;
  payments: Payments;
  /** Everything sent on the customer's channel (`telegram`), owner included. */
  readonly sent: Sent[];
  /** Moves the clock. */
  advance(ms: number): void;
  now(): number;
  /** A new service on the same database and folder: the bot restarted. */
  restart(): void;
  customerTexts(): string[];
  ownerTexts(): string[];
  order(): Promise<PlacedOrder>;
  /** What `startPayment` takes, for an order of this customer. */
  toPay(order: PlacedOrder): OrderToPay;
  close(): Promise<void>;
}

let chats = 0;

export const OWNER = '999000';

/** Opens an embedded database to share between harnesses (each has its own customer). */
export function openSharedStore(): Promise<Store> {
  return createEmbeddedStore({ dataDir: 'memory://' });
}

/** Settles what a test left pending and marks its news told, so the next test on the store starts quiet. */
export async function quiesce(store: Store): Promise<void> {
  for (const payment of await store.listPayments({ due: Date.now() + 10 * 365 * 86_400_000, limit: 500 })) {
    await store.settlePayment(payment.id, { status: 'expired', by: 'provider' });
  }
  for (const payment of await store.listPayments({ unnotified: true, limit: 500 })) await store.markPaymentNotified(payment.id, payment.status);
}

export async function startPaymentsHarness(
  options: { store: Store; provider?: 'wave' | 'cinetpay'; timing?: Partial<PaymentTiming> },
): Promise<PaymentsHarness> {
  const wave = await startFakeWave();
  const cinetpay = await startFakeCinetPay();
  const { store } = options;
  chats += 1;
  const customer = { channel: 'telegram' as const, chatId: `${process.pid}${chats}${Date.now() % 100_000}` };
  const dataDir = mkdtempSync(join(tmpdir(), 'akwaba-payments-'));
  const logger = createLogger({ level: 'silent' });
  const sent: Sent[] = [];
  const channel: Channel = {
    name: 'telegram',
    async sendText(chatId, text) {
      sent.push({ chatId, text });
    },
    async sendLink(chatId, text, link) {
      sent.push({ chatId, text, link });
    },
  };
  // Real time at the start (Wave's fake dates its sessions by it), then moved by the test only.
  let clock = Date.now();
  const providers: [PaymentProvider, PaymentProvider] = [
    createWaveProvider({ apiKey: wave.apiKey, webhookSecret: wave.webhookSecret, apiRoot: wave.url, publicUrl: PUBLIC_URL, timeoutMs: 500 }),
    createCinetPayProvider({ apiKey: cinetpay.apiKey, siteId: cinetpay.siteId, secretKey: cinetpay.secretKey, apiRoot: cinetpay.url, publicUrl: PUBLIC_URL, timeoutMs: 500 }),
  ];
  if (options.provider === 'cinetpay') providers.reverse();
  const build = (): Payments => {
    const deliveries = createDeliveries({ queue: createFileQueue<Delivery>(join(dataDir, 'queues', 'deliveries')), channelOf: () => channel, logger });
    return createPayments({
      store,
      providers,
      deliveries,
      notifyOwner: (key, text) => deliveries.send(key, { channel: 'telegram', chatId: OWNER, text }),
      linkQueue: createFileQueue<LinkJob>(join(dataDir, 'queues', 'payment-links')),
      shopName: 'Mode Ivoire',
      logger,
      now: () => clock,
      ...(options.timing && { timing: options.timing }),
    });
  };
  let orders = 0;
  const placed: string[] = [];
  const harness: PaymentsHarness = {
    store,
    customer,
    wave,
    cinetpay,
    dataDir,
    payments: build(),
    sent,
    advance(ms) {
      clock += ms;
    },
    now: () => clock,
    restart() {
      harness.payments.stop();
      harness.payments = build();
    },
    customerTexts: () => sent.filter((s) => s.chatId === customer.chatId).map((s) => s.text),
    ownerTexts: () => sent.filter((s) => s.chatId === OWNER).map((s) => s.text),
    async order() {
      orders += 1;
      const order = await store.placeOrder({
        idempotencyKey: `order-${orders}-${Math.random()}`,
        ...customer,
        customerName: 'Awa Koné',
        phone: '+2250708091011',
        zone: 'Marcory',
        lines: [{ productId: 'robe-cocktail-bordeaux', size: 'M', quantity: 1 }],
      });
      placed.push(order.orderId);
      return order;
    },
    toPay: (order) => ({ orderId: order.orderId, orderNumber: order.number, amountFcfa: order.totalFcfa, ...customer }),
    async close() {
      harness.payments.stop();
      await quiesce(store);
      // Cancelling puts the dresses back in stock for the next test.
      for (const orderId of placed) await store.setOrderStatus(orderId, 'cancelled');
      await wave.close();
      await cinetpay.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
