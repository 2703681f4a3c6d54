/**
 * What the checkout says, in French, and the buttons under it. Every question goes through
 * {@link ask}, which numbers the prompt (`seq`), so its buttons can be told from older ones,
 * and remembers its choices, so "2" means the second button on a channel that shows numbers.
 */
import { getExampleNumber, type CountryCode } from 'libphonenumber-js';
import examples from 'libphonenumber-js/mobile/examples';
import type { Reply } from '../../core/responder.js';
import type { DeliveryZone, OrderQuote, Product } from '../../store/types.js';
import { formatFcfa, isOneSize, sizesInStock } from '../format.js';
import { choiceButton, type ChoiceVerb } from './buttons.js';
import { describeItem, displayPhone, type CartItem, type CheckoutState } from './state.js';

/** One button to offer: label, what it does, and its argument. */
export type Offer = readonly [label: string, verb: ChoiceVerb, argument?: string];

/** A reply of the checkout. */
export interface CheckoutReply extends Reply {
  /** The message was not understood: `text` says so, then asks `question` again. */
  readonly unclear?: { readonly question: string };
}

/** A question: bumps the prompt number, remembers the choices, returns the reply. */
export function ask(state: CheckoutState, text: string, offers: readonly Offer[] = []): Reply {
  state.seq += 1;
  state.choices = offers.map(([label, verb, argument]) => choiceButton(state.seq, label, verb, argument));
  return state.choices.length > 0 ? { text, buttons: state.choices } : { text };
}

/** A question asked again because the message was not understood, after `why`. */
export function unclear(why: string, question: Reply): CheckoutReply {
  return { ...question, text: `${why}\n${question.text}`, unclear: { question: question.text } };
}

/** A reply that asks nothing: older buttons stop working, nothing is offered. */
export function say(state: CheckoutState, text: string): Reply {
  return ask(state, text);
}

const CANCEL: Offer = ['❌ Annuler', 'cancel'];

/** The product's name with its article: `la Robe …`, `le Sac …`, `l'Ensemble …`. */
export function withArticle(product: { readonly name: string }): string {
  const name = product.name;
  if (/^[aeiouhéèê]/i.test(name)) return `l'${name}`;
  return `${/^(robe|chemise|jupe|veste|tunique|blouse|pochette|ceinture|casquette|écharpe|combinaison|tenue|sandale|chaussure)/i.test(name) ? 'la' : 'le'} ${name}`;
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** "Which article?", with the products last shown as buttons. */
export function askProduct(state: CheckoutState, products: readonly Product[], intro = 'Avec plaisir ! 🛍️'): Reply {
  const shown = state.shown.map((slug) => products.find((product) => product.slug === slug)).filter((p): p is Product => p !== undefined).slice(0, 8);
  state.shown = shown.map((product) => product.slug);
  const offers = shown.map((product, index): Offer => [product.name, 'pick', String(index + 1)]);
  const text = `${intro ? `${intro} ` : ''}Quel article souhaitez-vous ? Écrivez son nom et votre taille, par exemple « ${example(products)} ».`;
  return ask(state, text, [...offers, CANCEL]);
}

function example(products: readonly Product[]): string {
  const product = products.find((candidate) => !isOneSize(candidate) && sizesInStock(candidate).length > 0) ?? products[0];
  if (!product) return 'la robe en M';
  const size = isOneSize(product) ? '' : ` en ${sizesInStock(product)[0] ?? 'M'}`;
  return `${withArticle(product).toLowerCase()}${size}`;
}

/** "Which size?", with the sizes in stock as buttons; `intro` says why it is asked again. */
export function askSize(state: CheckoutState, product: Product, intro?: string): Reply {
  const left = sizesInStock(product);
  const head = intro ?? `${capital(withArticle(product))} : ${formatFcfa(product.priceFcfa)}.`;
  return ask(state, `${head}\nQuelle taille vous faut-il ? Disponible en : ${left.join(', ')}.`, [
    ...left.map((size): Offer => [size, 'size', size]),
    CANCEL,
  ]);
}

/** The sizes left, after a size that is not there or no longer is. */
export function sizeRefused(product: Product, asked: string, exists: boolean): string {
  const name = withArticle(product);
  return exists
    ? `Désolé, il n'y a plus de ${asked} pour ${name} 😔`
    : `Désolé, ${name} n'existe pas en ${asked} 😔`;
}

/** A product sold out in every size. */
export function soldOut(product: Product): string {
  return `Désolé, ${withArticle(product)} est épuisé${/^la /.test(withArticle(product)) ? 'e' : ''} dans toutes les tailles pour le moment 😔`;
}

/** A phone number of the shop's country, written by pairs (`07 07 12 34 56`), or `undefined`. */
export function examplePhone(country: string): string | undefined {
  // libphonenumber's own Ivorian example (01 23 45 67 89) does not look like anyone's number.
  if (country.toUpperCase() === 'CI') return '07 07 12 34 56';
  const sample = getExampleNumber(country.toUpperCase() as CountryCode, examples);
  return sample?.nationalNumber.replace(/(\d{2})(?=\d)/g, '$1 ');
}

/** The delivery questions, one at a time; `done` is what was just understood. */
export function askDetail(
  state: CheckoutState,
  detail: 'name' | 'phone' | 'zone',
  context: { readonly zones: readonly DeliveryZone[]; readonly country: string },
  done?: string,
): Reply {
  const head = done ? `${done}\n` : '';
  if (detail === 'name') {
    const mine: Offer[] = state.displayName ? [[`👤 ${state.displayName}`, 'myname']] : [];
    const zone = context.zones.find((candidate) => candidate.name === 'Marcory') ?? context.zones[0];
    const all = ['Awa Koné', examplePhone(context.country), zone?.name].filter(Boolean).join(', ');
    return ask(state, `${head}Pour la livraison, quel est votre nom complet ?\n(Vous pouvez aussi tout m'écrire d'un coup : « ${all} »)`, [
      ...mine,
      ['➕ Ajouter un article', 'add'],
      CANCEL,
    ]);
  }
  if (detail === 'phone') {
    const first = state.name?.split(' ')[0];
    return ask(state, `${head}Merci${first ? ` ${first}` : ''} ! Quel est votre numéro de téléphone, pour le livreur ?`, [CANCEL]);
  }
  return askZone(state, context.zones, `${head}Dans quelle commune faut-il livrer ?`);
}

/** The communes served, as buttons, with their fee. */
export function askZone(state: CheckoutState, zones: readonly DeliveryZone[], text: string): Reply {
  const sorted = [...zones].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  return ask(state, text, [...sorted.map((zone, index): Offer => [`${zone.name} (${formatFcfa(zone.feeFcfa)})`, 'zone', String(index + 1)]), CANCEL]);
}

/** The zones in the order {@link askZone} numbers them. */
export function zonesInOrder(zones: readonly DeliveryZone[]): DeliveryZone[] {
  return [...zones].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

/** A phone number that is not one, and what one looks like in the shop's country. */
export function badPhone(typed: string, country: string): string {
  const sample = examplePhone(country);
  const digits = sample ? ` Un numéro de chez nous a ${sample.replace(/\D/g, '').length} chiffres, par exemple ${sample}.` : '';
  return `Le numéro « ${typed} » ne semble pas valide 🤔${digits} Pouvez-vous me le renvoyer ?`;
}

/** The summary: lines, fee and total from the database, the details, and the three choices. */
export function summary(state: CheckoutState, quote: OrderQuote, fromDatabase: boolean, intro?: string): Reply {
  const lines = quote.lines.map((line) => `• ${describeItem({ slug: line.slug, name: line.productName, size: line.size, quantity: line.quantity })} : ${formatFcfa(line.lineTotalFcfa)}`);
  const total = fromDatabase
    ? `Total : ${formatFcfa(quote.totalFcfa)}`
    : `Total : ${formatFcfa(quote.totalFcfa)} (prix du catalogue ; le total exact vous sera confirmé avec la commande)`;
  const text = [
    ...(intro ? [intro, ''] : []),
    'Voici votre commande 🧾',
    ...lines,
    `Livraison ${quote.zone.name} (${quote.zone.delay}) : ${formatFcfa(quote.deliveryFeeFcfa)}`,
    total,
    '',
    `👤 ${state.name ?? ''}`,
    `📞 ${state.phone ? displayPhone(state.phone) : ''}`,
    `📍 ${quote.zone.name}`,
    '',
    'Je confirme la commande ?',
  ].join('\n');
  return ask(state, text, [['✅ Confirmer', 'confirm'], ['✏️ Modifier', 'edit'], CANCEL]);
}

/** "What do you want to change?" */
export function editMenu(state: CheckoutState): Reply {
  return ask(state, 'Que voulez-vous modifier ?', [
    ['🛍️ Articles', 'field', 'items'],
    ['👤 Nom', 'field', 'name'],
    ['📞 Téléphone', 'field', 'phone'],
    ['📍 Commune', 'field', 'zone'],
    ['↩️ Rien, continuer', 'next'],
  ]);
}

/** The cart, each line with a button to remove it. */
export function itemsMenu(state: CheckoutState, intro = 'Votre panier :'): Reply {
  const lines = state.items.map((item, index) => `${index + 1}. ${describeItem(item)}`);
  return ask(state, `${intro}\n${lines.join('\n')}\nTouchez un article pour le retirer, ou ajoutez-en un.`, [
    ...state.items.map((item, index): Offer => [`🗑 ${describeItem(item)}`, 'remove', String(index + 1)]),
    ['➕ Ajouter un article', 'add'],
    ['✅ C’est bon', 'next'],
  ]);
}

/** The cart in a sentence: `Robe Cocktail Bordeaux (M) et Foulard Imprimé Wax`. */
export function cartText(items: readonly CartItem[]): string {
  const names = items.map(describeItem);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} et ${names.at(-1)}`;
}

export const TEXTS = {
  cancelled: "C'est annulé : rien n'a été commandé 🙏 Si vous changez d'avis, écrivez-moi simplement l'article qui vous plaît.",
  stale: "Ce bouton date d'un message précédent 🙂 Voici où nous en sommes :",
  staleNothing: "Ce bouton n'est plus valable 🙂 Dites-moi simplement ce qui vous ferait plaisir, par exemple « la robe bordeaux en M ».",
  unknownProduct: "Je n'ai pas trouvé cet article 🤔",
  tooMany: (max: number) => `Au-delà de ${max} articles par commande, une personne de la boutique s'en occupe avec vous : écrivez-nous ici 🙏`,
  notDelivered: (place: string) => `Désolé, nous ne livrons pas encore à ${place} 🙏 Voici les communes où nous livrons :`,
  kept: 'C’est noté ✅',
  unavailable:
    "Désolé, je n'arrive pas à enregistrer votre commande pour le moment 🙏 Une personne de la boutique va vous recontacter ici très vite.",
} as const;
