/**
 * Mobile money from the chat: Wave and CinetPay behind one {@link PaymentProvider}, the
 * payments service (links, reconciliation, news), and the providers' routes.
 */
import { join } from 'node:path';
import type { Deliveries } from '../../durable/deliveries.js';
import { createFileQueue } from '../../durable/queue.js';
import type { Config } from '../../infra/config/index.js';
import type { Logger } from '../../infra/logger.js';
import { createCinetPayProvider } from './cinetpay/index.js';
import { createPayments, type LinkJob, type Payments, type PaymentStore, type PaymentTiming } from './payments.js';
import type { PaymentProvider } from './types.js';
import { createWaveProvider } from './wave/index.js';

export { addPaymentRoutes, NOTIFICATION_PATHS } from './routes.js';
export { createPayments, type CustomerCheck, type OrderToPay, type PaymentOffer, type Payments, type PaymentTiming } from './payments.js';
export { isPaymentClaim } from './claim.js';
export * from './types.js';

/** The providers the configuration names, Wave first (new links are made with the first). */
export function paymentProvidersFromConfig(config: Pick<Config, 'payments' | 'publicUrl'>, fetchImpl?: typeof fetch): PaymentProvider[] {
  const { payments, publicUrl } = config;
  if (!payments || !publicUrl) return [];
  const providers: PaymentProvider[] = [];
  if (payments.wave) providers.push(createWaveProvider({ ...payments.wave, publicUrl, ...(fetchImpl && { fetch: fetchImpl }) }));
  if (payments.cinetpay) providers.push(createCinetPayProvider({ ...payments.cinetpay, publicUrl, ...(fetchImpl && { fetch: fetchImpl }) }));
  return providers;
}

/**
 * The shop's payments over the configured providers, or `undefined` when there are none: then
 * every order is paid on delivery, as before. Links wait in `DATA_DIR/queues/payment-links`.
 */
export function createShopPayments(options: {
  readonly providers: readonly PaymentProvider[];
  readonly dataDir: string;
  readonly store: PaymentStore;
  readonly deliveries: Pick<Deliveries, 'send'>;
  readonly notifyOwner: (key: string, text: string) => Promise<void>;
  readonly shopName: string;
  readonly logger: Logger;
  readonly timing?: Partial<PaymentTiming>;
}): Payments | undefined {
  const [first, ...others] = options.providers;
  if (!first) return undefined;
  const { providers: _providers, dataDir, ...rest } = options;
  return createPayments({
    ...rest,
    providers: [first, ...others],
    linkQueue: createFileQueue<LinkJob>(join(dataDir, 'queues', 'payment-links')),
  });
}
