import { z } from 'zod';
import { defineTool, type Tool } from '../core/tools.js';
import type { DeliveryZone, Product } from '../store/types.js';
import type { Checkout } from './checkout/checkout.js';
import { MAX_PIECES_PER_ORDER } from './checkout/state.js';
import { conversationKeyOf, createCartTools, placeForModel } from './checkout/tools.js';
import { formatFcfa, sizesInStock } from './format.js';
import type { PaymentOffer, Payments } from './payments/payments.js';
import { findProduct, findZone, searchProducts } from './search.js';

/** The shop's data as the tools read it: the catalogue's latest snapshot. */
export interface CatalogueView {
  snapshot(): { readonly products: readonly Product[]; readonly zones: readonly DeliveryZone[] } | undefined;
}

export { MAX_PIECES_PER_ORDER };

const unavailable = { error: 'catalogue indisponible pour le moment : ne donne aucun prix, propose de réessayer' };

/** What the model sees of a product: everything it may tell, nothing it should invent. */
function describeProduct(product: Product) {
  return {
    id: product.slug,
    name: product.name,
    category: product.category,
    price_fcfa: product.priceFcfa,
    price_text: formatFcfa(product.priceFcfa),
    description: product.description,
    sizes_in_stock: sizesInStock(product),
    sold_out_sizes: product.sizes.filter((size) => size.stock <= 0).map((size) => size.size),
    has_photo: product.photoUrl !== null,
  };
}

function describeZone(zone: DeliveryZone) {
  return { zone: zone.name, fee_fcfa: zone.feeFcfa, fee_text: formatFcfa(zone.feeFcfa), delay: zone.delay };
}

/**
 * The shop's tools: search, product details, delivery quote, photo and order, then the cart
 * the guided checkout shares (`add_to_cart`, `remove_from_cart`, `set_delivery_details`,
 * `view_cart`, `order_status`). Prices, totals, stock and fees always come from the catalogue
 * or the database, never from the model.
 */
export function createShopTools(options: {
  catalogue: CatalogueView;
  checkout: Checkout;
  /** Mobile money, when configured: `place_order` says what was offered, `check_payment` exists. */
  payments?: Pick<Payments, 'offerFor' | 'checkForCustomer'>;
}): Tool[] {
  const { catalogue, checkout, payments } = options;
  const productOf = (query: string) => {
    const snapshot = catalogue.snapshot();
    return snapshot ? (findProduct(snapshot.products, query) ?? null) : undefined;
  };

  return [
    defineTool({
      name: 'search_products',
      description: 'Cherche des articles du catalogue (mots du client, catégorie, taille, budget). Seule source des prix.',
      parameters: z.object({
        query: z.string().max(200).optional().describe('mots du client, ex. "robe mariage"'),
        category: z.string().max(50).optional().describe('ex. robes, ensembles, chemises, pantalons, jupes, accessoires'),
        size: z.string().max(10).optional().describe('taille voulue, ex. M'),
        max_price_fcfa: z.number().int().positive().optional().describe('budget maximum en FCFA'),
      }),
      async run(args) {
        const snapshot = catalogue.snapshot();
        if (!snapshot) return unavailable;
        const found = searchProducts(snapshot.products, {
          text: args.query,
          category: args.category,
          size: args.size,
          maxPriceFcfa: args.max_price_fcfa,
          limit: 6,
        });
        return { products: found.map(describeProduct), categories: [...new Set(snapshot.products.map((p) => p.category))] };
      },
    }),
    defineTool({
      name: 'product_details',
      description: "Détails d'un article : prix, tailles en stock, description.",
      parameters: z.object({ product: z.string().min(1).max(200).describe("id ou nom de l'article") }),
      async run({ product }) {
        const found = productOf(product);
        if (found === undefined) return unavailable;
        return found ? describeProduct(found) : { error: `aucun article ne correspond à "${product}" : utilise search_products` };
      },
    }),
    defineTool({
      name: 'delivery_quote',
      description: 'Frais et délai de livraison pour une commune ou un quartier (orthographe approximative acceptée).',
      parameters: z.object({ zone: z.string().min(1).max(100) }),
      async run({ zone }) {
        const snapshot = catalogue.snapshot();
        if (!snapshot) return unavailable;
        const found = findZone(snapshot.zones, zone);
        if (found) return describeZone(found);
        return { error: `nous ne livrons pas "${zone}"`, zones_served: snapshot.zones.map((z) => z.name) };
      },
    }),
    defineTool({
      name: 'show_product_photo',
      description: "Envoie au client la photo d'un article (avec nom, prix, tailles en légende).",
      parameters: z.object({ product: z.string().min(1).max(200) }),
      async run({ product }, context) {
        const found = productOf(product);
        if (found === undefined) return unavailable;
        if (!found) return { error: `aucun article ne correspond à "${product}"` };
        if (!found.photoUrl) return { error: `pas de photo pour ${found.name}` };
        const sizes = sizesInStock(found);
        const caption = `${found.name} - ${formatFcfa(found.priceFcfa)}${sizes.length > 0 ? `\nTailles : ${sizes.join(', ')}` : ''}`;
        context.attach({ url: found.photoUrl, caption });
        return { sent: true, caption };
      },
    }),
    defineTool({
      name: 'place_order',
      description:
        "Enregistre la commande du panier, une seule fois, après que le client a confirmé articles, tailles, nom complet, téléphone et commune. Ce que tu passes remplace ce que le panier contient. Le total est calculé par la boutique.",
      parameters: z.object({
        customer_name: z.string().trim().min(3).max(100).optional().describe('nom complet du client (sinon celui du panier)'),
        phone: z.string().trim().min(1).max(30).optional().describe('sinon celui du panier'),
        zone: z.string().trim().min(1).max(100).optional().describe('commune de livraison (sinon celle du panier)'),
        items: z
          .array(
            z.object({
              product: z.string().min(1).max(200).describe("id ou nom de l'article"),
              size: z.string().max(10).default(''),
              quantity: z.number().int().min(1).max(MAX_PIECES_PER_ORDER).default(1),
            }),
          )
          .min(1)
          .max(MAX_PIECES_PER_ORDER)
          // A model talked into it must not reserve a whole stock in one order.
          .refine((items) => items.reduce((sum, item) => sum + item.quantity, 0) <= MAX_PIECES_PER_ORDER, {
            message: `au plus ${MAX_PIECES_PER_ORDER} articles par commande : pour plus, propose qu'une personne de la boutique rappelle le client`,
          })
          .optional()
          .describe('la commande entière (remplace le panier) ; sans articles, le panier est commandé tel quel'),
      }),
      async run(args, context) {
        const placed = await checkout.update(conversationKeyOf(context.customer), context.customer, (turn) => placeForModel(turn, args));
        if ('error' in placed) return placed.error;
        const { outcome } = placed;
        if (outcome.status === 'rejected') return { error: outcome.code, detail: outcome.detail };
        if (outcome.status === 'queued') {
          return {
            status: 'reçue, en attente de confirmation',
            reference: outcome.reference,
            instruction:
              "Dis au client que sa commande est bien reçue et qu'il recevra ici la confirmation avec le total dans quelques minutes. Ne dis pas qu'elle est enregistrée.",
          };
        }
        const { order } = outcome;
        return {
          status: order.duplicate ? 'déjà enregistrée' : 'enregistrée',
          order_number: order.number,
          lines: order.lines.map((line) => ({ name: line.productName, size: line.size, quantity: line.quantity, total_fcfa: line.lineTotalFcfa })),
          subtotal_fcfa: order.subtotalFcfa,
          delivery: { zone: order.zone.name, fee_fcfa: order.deliveryFeeFcfa, delay: order.zone.delay },
          total_fcfa: order.totalFcfa,
          total_text: formatFcfa(order.totalFcfa),
          payment: describeOffer(payments?.offerFor(order.orderId)),
        };
      },
    }),
    ...(payments ? [checkPaymentTool(payments)] : []),
    ...createCartTools(checkout),
  ];
}

/** What the model may say about paying; the link itself never goes through the model. */
function describeOffer(offer: PaymentOffer | undefined) {
  switch (offer?.kind) {
    case 'link':
      return {
        mode: `lien ${offer.provider} envoyé`,
        instruction: `Le client vient de recevoir, juste au-dessus, un message avec le total et le lien pour payer par ${offer.provider}. Dis-lui qu'il peut payer par ce lien ou en espèces à la livraison. N'écris aucun lien toi-même.`,
      };
    case 'link_follows':
      return {
        mode: 'lien à venir',
        instruction: "Le lien de paiement arrive ici dans quelques minutes : dis-le au client, et qu'il peut aussi payer en espèces à la livraison. N'écris aucun lien toi-même.",
      };
    case 'already':
      return { mode: `paiement déjà ${offer.status === 'paid' ? 'reçu' : 'en cours'}` };
    default:
      return { mode: 'espèces à la livraison' };
  }
}

function checkPaymentTool(payments: Pick<Payments, 'checkForCustomer'>): Tool {
  return defineTool({
    name: 'check_payment',
    description:
      "Vérifie auprès de Wave ou CinetPay le paiement mobile money de ce client (quand il dit avoir payé, ou demande si son paiement est arrivé). Seule source sur l'état d'un paiement.",
    parameters: z.object({}),
    async run(_args, context) {
      // The customer is the one writing, never someone the model names.
      const { payment, answer } = await payments.checkForCustomer(context.customer);
      return {
        status: payment?.status ?? 'aucun paiement',
        ...(payment && { order_number: payment.orderNumber, amount_text: formatFcfa(payment.amountFcfa) }),
        message: answer,
        instruction: 'Réponds au client avec ce message ; tu peux le reformuler sans changer le statut, le montant ni le numéro.',
      };
    },
  });
}
