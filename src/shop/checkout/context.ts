import type { Logger } from '../../infra/logger.js';
import type { DeliveryZone, Product, Store } from '../../store/types.js';
import type { ShopConfig } from '../config.js';
import type { OrderDesk } from '../orders.js';
import type { CatalogueView } from '../tools.js';
import type { CheckoutState } from './state.js';

/** The shop's parts the checkout works with. */
export interface CheckoutDeps {
  readonly shop: ShopConfig;
  /** Prices carts (`quote_order`) and reads a chat's orders. */
  readonly store: Pick<Store, 'quoteOrder' | 'listCustomerOrders'>;
  /** The same order desk as the model's `place_order`. */
  readonly orders: Pick<OrderDesk, 'place'>;
  /** The catalogue; `refresh` is called when an order meets stock that changed meanwhile. */
  readonly catalogue: CatalogueView & { refresh?(): Promise<unknown> };
  readonly logger: Logger;
  readonly now: () => number;
}

/** One message being handled: the conversation's state and what the shop sells right now. */
export interface CheckoutTurn {
  readonly state: CheckoutState;
  products: readonly Product[];
  readonly zones: readonly DeliveryZone[];
  readonly deps: CheckoutDeps;
}
