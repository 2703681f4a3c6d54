/**
 * The guided checkout: a customer buys with no model at all — picks articles and sizes,
 * gives name, phone and commune, sees the database's total, confirms — on every channel,
 * and the model's tools share the same cart.
 */
export { createCheckout, inProgress, type Checkout, type CheckoutOptions, type CheckoutRequest } from './checkout.js';
export { createFileCheckoutStore, createMemoryCheckoutStore, type CheckoutStore } from './store.js';
export { answerWithoutModel, createShopResponder, lastResortAnswer, withCheckout, type ShopAnswerOptions } from './responder.js';
export { createOrderUpdates, orderStatusAnswer, statusChangeNotice, type OrderUpdates } from './status.js';
export { isCheckoutAction } from './buttons.js';
export { CHECKOUTS_KEPT_MS, keepCheckoutsTidy } from './tidy.js';
export type { CartItem, CheckoutState, CheckoutStep } from './state.js';
