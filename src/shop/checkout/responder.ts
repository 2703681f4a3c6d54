/**
 * The shop talking without a model: a payment the customer says they made, checked with the
 * provider; then the guided checkout; then the catalogue's answers
 * (with buttons to buy what they show), then what the bot can do. The same answer serves as
 * the no-model responder and as the answer of last resort when the model failed for good, so
 * a purchase the model started carries on without it.
 */
import type { ChatEntry, Reply, Responder } from '../../core/responder.js';
import { ResponderError } from '../../core/responder.js';
import type { Customer } from '../../core/tools.js';
import type { Product } from '../../store/types.js';
import type { CatalogueSnapshot } from '../catalogue.js';
import { answerFromCatalogue, helpAnswer } from '../catalogue-answers.js';
import type { ShopConfig } from '../config.js';
import { isPaymentClaim } from '../payments/claim.js';
import type { Payments } from '../payments/payments.js';
import type { Checkout, CheckoutRequest } from './checkout.js';

/** What the shop's own answers need. */
export interface ShopAnswerOptions {
  readonly checkout: Checkout;
  readonly catalogue: { snapshot(): CatalogueSnapshot | undefined };
  readonly shop: ShopConfig;
  /** Mobile money, when configured: "j'ai payé" is checked with the provider at once. */
  readonly payments?: Pick<Payments, 'checkForCustomer' | 'offerFor'>;
}

/**
 * The shop's own answer to one message: the checkout's when the message is part of a
 * purchase; the catalogue's when it answers for sure (a question in the middle of a purchase
 * is answered, then the purchase's question asked again); otherwise `null`.
 */
export async function answerWithoutModel(options: ShopAnswerOptions, request: CheckoutRequest): Promise<Reply | null> {
  const snapshot = options.catalogue.snapshot();
  if (!snapshot) return null;
  if (options.payments && isPaymentClaim(request.text)) return { text: (await options.payments.checkForCustomer(request.customer)).answer };
  const fromCheckout = await options.checkout.handle(request);
  if (fromCheckout && !fromCheckout.unclear) return plain(fromCheckout);
  const answer = answerFromCatalogue(request.text, snapshot, options.shop);
  if (answer && fromCheckout?.unclear) return { ...plain(fromCheckout), text: `${answer}\n\n${fromCheckout.unclear.question}` };
  if (answer) {
    const buttons = await options.checkout.showing(request, productsIn(answer, snapshot.products), answer);
    return buttons.length > 0 ? { text: answer, buttons } : { text: answer };
  }
  return fromCheckout ? plain(fromCheckout) : null;
}

/** What the core hands its answer of last resort (`EngineOptions.lastResort`). */
export interface LastResortTurn {
  readonly conversationKey: string;
  readonly customer: Customer;
  /** The customer's messages left without an answer, oldest first. */
  readonly texts: readonly string[];
  /** The remembered conversation, ending with those messages (their button presses included). */
  readonly history: readonly ChatEntry[];
}

/**
 * The answer of last resort for the core (`lastResort`): when the model failed for good,
 * the checkout carries a purchase on and the catalogue answers what it knows; each message
 * left without an answer is taken in order, and the reply answers them all.
 */
export function lastResortAnswer(options: ShopAnswerOptions): (turn: LastResortTurn) => Promise<Reply | null> {
  return async ({ conversationKey, customer, texts, history }) => {
    const users = history.filter((entry) => entry.role === 'user').slice(-texts.length);
    // The history's copies carry the button pressed; the texts are the same words.
    const messages = users.length === texts.length && users.every((entry, index) => entry.content === texts[index]) ? users : texts.map((content) => ({ content, action: undefined }));
    return answerAll(options, conversationKey, customer, messages);
  };
}

/** Each message through {@link answerWithoutModel}, in order; one reply for them all, or `null`. */
async function answerAll(
  options: ShopAnswerOptions,
  conversationKey: string,
  customer: Customer,
  messages: readonly { readonly content: string; readonly action?: string | undefined }[],
): Promise<Reply | null> {
  const replies: Reply[] = [];
  for (const message of messages) {
    const reply = await answerWithoutModel(options, { conversationKey, customer, text: message.content, ...(message.action !== undefined && { action: message.action }) });
    if (reply) replies.push(reply);
  }
  if (replies.length === 0) return null;
  const last = replies.at(-1)!;
  return replies.length === 1 ? last : { ...last, text: replies.map((reply) => reply.text).join('\n\n') };
}

/**
 * The bot's brain when no model is configured: each new customer message goes through
 * {@link answerWithoutModel}, in order; a message it cannot place gets what the bot can do.
 * Throws a `provider_error` {@link ResponderError} when no catalogue was ever loaded, so the
 * core sends its fallback.
 */
export function createShopResponder(options: ShopAnswerOptions): Responder {
  return {
    description: 'guided checkout and catalogue answers (no model)',
    async reply(request) {
      const snapshot = options.catalogue.snapshot();
      if (!snapshot) throw new ResponderError('catalogue unavailable', 'provider_error');
      const reply = await answerAll(options, request.conversationKey, request.customer, newMessages(request.history));
      return reply ?? { text: helpAnswer(snapshot, options.shop) };
    },
  };
}

/**
 * Puts the checkout in front of a model: a press on one of the checkout's buttons, or the
 * number of one of its choices typed right after its question, is answered by the checkout
 * (deterministically, without a model call); everything else goes to the model, whose tools
 * use the same checkout.
 */
export function withCheckout(model: Responder, options: ShopAnswerOptions): Responder {
  return {
    description: model.description,
    async reply(request) {
      const last = request.history.at(-1);
      if (last?.role === 'user') {
        const before = [...request.history].reverse().find((entry) => entry.role === 'assistant');
        const checkoutRequest = { conversationKey: request.conversationKey, customer: request.customer, text: last.content, ...(last.action !== undefined && { action: last.action }) };
        if (await options.checkout.owns(checkoutRequest, before?.content)) {
          const reply = await options.checkout.handle(checkoutRequest);
          if (reply) return plain(reply);
        }
      }
      return model.reply(request);
    },
  };
}

/** The customer messages of this turn: those after the bot's last reply. */
function newMessages(history: readonly ChatEntry[]): ChatEntry[] {
  const lastReply = history.map((entry) => entry.role).lastIndexOf('assistant');
  return history.slice(lastReply + 1).filter((entry) => entry.role === 'user');
}

/** The products an answer shows, in the order it shows them. */
export function productsIn(answer: string, products: readonly Product[]): Product[] {
  return products
    .map((product) => ({ product, at: answer.indexOf(product.name) }))
    .filter(({ at }) => at >= 0)
    .sort((a, b) => a.at - b.at)
    .map(({ product }) => product);
}

function plain(reply: Reply): Reply {
  return { text: reply.text, ...(reply.photos && { photos: reply.photos }), ...(reply.buttons && reply.buttons.length > 0 && { buttons: reply.buttons }) };
}
