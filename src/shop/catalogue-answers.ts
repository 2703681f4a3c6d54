/**
 * Answers straight from the catalogue, without a model: prices, sizes, what is in stock,
 * delivery fees, opening hours, greetings. It answers only when it is sure of the
 * question, and every figure it writes comes from the snapshot.
 */
import type { DeliveryZone, Product } from '../store/types.js';
import type { CatalogueSnapshot } from './catalogue.js';
import { categories } from './catalogue.js';
import type { ShopConfig } from './config.js';
import { formatFcfa, formatProductLine, formatZone, isOneSize, sizesInStock } from './format.js';
import { ANY_ITEM_WORDS, findProduct, findZoneMentions, OCCASION_WORDS, searchCatalogue } from './search.js';
import { normalize, singular, tokens } from './text.js';

// Questions a person must handle: asking for someone, after-sales, attempts to rewrite the rules.
const FOR_A_PERSON = [
  /\b(parler a|quelqu un|humain|conseillere?s?|conseillers|vendeuse?|gerante?|responsable|appele[rz]?|rappele[rz]?|telephoner)\b/,
  /\b(ma commande|mon colis|commande n|pas (encore )?(arrive|recu|livre)e?s?|retard\w*|rembours\w*|annul\w*|retour|echange\w*)\b/,
  /\b(reclamation|plainte|probleme|arnaque|defaut|dechire\w*|abime\w*|livreur|suivi|j ai recu|recue?s?|trop (petite?|grande?|serree?|large))\b/,
  /\b(ignore\w*|instructions?|prompt|systeme|system|oublie\w*|tu es maintenant|desormais|admin\w*|developpeur|reduction|remise|promo\w*|negoci\w*)\b/,
];
const ORDER = /\b(je (la |le |les )?prends?|commander|je commande|passer (une )?commande|acheter|j achete|reserver|reserve[zr]? (la|le|les|moi)|je (la|le|les) veux|je veux (la|le|les|celle|celui)|payer|paiement|mobile money|orange money|wave|moov|mtn)\b/;
const DELIVERY = /\b(livr\w*|expedi\w*|delivery)\b/;
const HOURS = /\b(horaires?|ouverts?|ouvertes?|ouvrez|ouvre|fermez|fermes?|fermeture|ouverture)\b/;
const OVERVIEW = /\b(vous vendez quoi|que vendez vous|qu est ce que vous (vendez|avez)|vous avez quoi|catalogue|vos produits|collection|nouveaute\w*)\b/;
const GREETING_WORDS = new Set([
  'bonjour', 'bonsoir', 'salut', 'hello', 'coucou', 'bjr', 'bsr', 'slt', 'hi', 'hey', 'allo', 'cc', 'yo',
  'madame', 'monsieur', 'mme', 'mr', 'comment', 'ca', 'va', 'allez', 'vous', 'tout', 'le', 'monde', 'la', 'boutique',
  'mode', 'ivoire', 'merci', 'svp', 'stp', 'bien', 'bonne', 'journee', 'soiree', 'et', 'cava', 'cv',
]);
const HELLO = /^(bonjour|bonsoir|salut|hello|coucou|bjr|bsr|slt|hi|hey|cc|yo)$/;
const PLACE = /livr\S*(?:\s+(?:vous|vs|aussi|bien|également|egalement|même|meme|possible|svp))*\s+(?:(?:à|a|au|sur|vers|dans|pour|jusqu['’ ]?(?:à|a))\s+)?(?:l['’]\s*)?([\p{L}][\p{L}'’-]*(?:\s+[\p{L}][\p{L}'’-]*)?)/u;
const NOT_A_PLACE = new Set([
  'domicile', 'maison', 'bureau', 'quel', 'quelle', 'quels', 'combien', 'partir', 'quand', 'temps', 'heure', 'heures',
  'moi', 'nous', 'vous', 'chez', 'tout', 'toute', 'tous', 'partout', 'interieur', 'exterieur', 'pays', 'ville',
  'province', 'demain', 'aujourd', 'ce', 'cette', 'le', 'la', 'les', 'un', 'une', 'des', 'mon', 'ma', 'mes', 'votre',
  'vos', 'quartier', 'commune', 'zone', 'rapide', 'rapidement', 'gratuit', 'gratuite', 'ici', 'comment', 'aussi',
  'cote', 'ivoire', 'en', 'de', 'du', 'et', 'ou', 'possible', 'svp', 'stp', 'merci', 'abidjan', 'est', 'c',
]);
const OCCASION_LABELS: Readonly<Record<string, string>> = {
  mariage: 'un mariage', ceremonie: 'une cérémonie', soiree: 'une soirée', fete: 'une fête', gala: 'un gala',
  bapteme: 'un baptême', anniversaire: 'un anniversaire', dot: 'une dot', communion: 'une communion',
};
const SIZE = /(?:^|[\s,(])(?:en|taille|size|du)\s+(xxs|xs|s|m|l|xl|xxl|xxxl|\d{2})(?![\p{L}\d'’])/iu;

/** Whether the customer is trying to order (`je prends`, `je veux commander`). */
export function wantsToOrder(text: string): boolean {
  return ORDER.test(normalize(text));
}

function list(zones: readonly DeliveryZone[]): string {
  return [...zones].sort((a, b) => a.name.localeCompare(b.name, 'fr')).map((zone) => `• ${formatZone(zone)}`).join('\n');
}

function deliveryAnswer(text: string, n: string, zones: readonly DeliveryZone[], shop: ShopConfig): string | null {
  const mentions = findZoneMentions(zones, text);
  const found = mentions.map((mention) => mention.zone);
  // "Angré" is answered as "Cocody (Angré)" so the customer sees we understood
  const named = mentions.map(({ zone, label }) => {
    const [alias, name] = [normalize(label), normalize(zone.name)];
    return name.startsWith(alias) || ` ${alias} `.includes(` ${name} `) ? zone.name : `${zone.name} (${label})`;
  });
  const asked = DELIVERY.test(n) || /\bfrais\b/.test(n);
  // "Cocody ?", "j'habite à Yop Niangon": a zone and next to nothing else is a delivery question
  const otherWords = tokens(text).filter((word) => findZoneMentions(zones, word).length === 0);
  const onlyZones = found.length > 0 && otherWords.length <= 1;
  if (found.length === 1 && (asked || onlyZones)) {
    const zone = found[0]!;
    return `Oui ! Nous livrons à ${named[0]!}. 🚚\nFrais : ${formatFcfa(zone.feeFcfa)}\nDélai : ${zone.delay}`;
  }
  if (found.length > 1 && (asked || onlyZones)) {
    return `Oui ! Nous livrons à ${named.join(' et à ')}. 🚚\n${list(found)}`;
  }
  if (!DELIVERY.test(n)) return null;
  const place = PLACE.exec(text.toLowerCase())?.[1]
    ?.split(/\s+/)
    .filter((word, index) => index === 0 || !NOT_A_PLACE.has(normalize(word)))
    .join(' ');
  if (place && !NOT_A_PLACE.has(normalize(place.split(/\s+/)[0]!)) && normalize(place) !== normalize(shop.city)) {
    const shown = place.replace(/(^|[\s-])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
    return `Désolé, nous ne livrons pas encore à ${shown}. 🙏\nNous livrons dans ces communes :\n${list(zones)}\nL'une d'elles vous arrange ?`;
  }
  return `Oui, nous livrons ! 🚚 Voici nos communes, frais et délais :\n${list(zones)}\nDans quelle commune êtes-vous ?`;
}

const FEMININE = /^(robe|chemise|jupe|veste|tunique|blouse|chemisette|pochette|ceinture|casquette|echarpe|combinaison|tenue|sandale|chaussure)s?\b/;

/** The product's name with its article: `la Robe …`, `le Sac …`, `l'Ensemble …`. */
function withArticle(product: Product): string {
  const n = normalize(product.name);
  if (/^[aeiouh]/.test(n)) return `l'${product.name}`;
  return `${FEMININE.test(n) ? 'la' : 'le'} ${product.name}`;
}

function productAnswer(product: Product, size: string | undefined, photo: boolean): string {
  const price = formatFcfa(product.priceFcfa);
  const picture = photo && product.photoUrl ? `\n📸 ${product.photoUrl}` : '';
  const name = withArticle(product);
  const Name = name.charAt(0).toUpperCase() + name.slice(1);
  if (size !== undefined && isOneSize(product)) return `${Name} est en taille unique : ${price}.${picture}`;
  if (size !== undefined) {
    const shown = size.toUpperCase();
    const entry = product.sizes.find((candidate) => normalize(candidate.size) === size);
    const left = sizesInStock(product);
    const others = left.length > 0 ? `\nTailles disponibles : ${left.join(', ')}` : '\nToutes les tailles sont épuisées pour le moment.';
    if (!entry) return `Désolé, pas de taille ${shown} pour ${name}. 😔${others}${picture}`;
    if (entry.stock <= 0) return `Désolé, plus de stock en ${shown} pour ${name} pour le moment. 😔${others}${picture}`;
    const few = entry.stock <= 2 ? ` (il en reste ${entry.stock})` : '';
    return `Oui ! ${Name} est disponible en ${shown}${few} ✅\nPrix : ${price}${picture}`;
  }
  const question = isOneSize(product) || sizesInStock(product).length === 0 ? '' : '\n\nQuelle taille faites-vous ?';
  return `${formatProductLine(product)}${picture}${question}`;
}

function overview(snapshot: CatalogueSnapshot, shop: ShopConfig): string {
  const lines = categories(snapshot).map((category) => {
    const prices = snapshot.products.filter((product) => product.category === category).map((product) => product.priceFcfa);
    const from = Math.min(...prices);
    const to = Math.max(...prices);
    const range = from === to ? formatFcfa(from) : `de ${formatFcfa(from)} à ${formatFcfa(to)}`;
    const label = category.charAt(0).toUpperCase() + category.slice(1);
    return `▸ ${label} : ${prices.length} modèle${prices.length > 1 ? 's' : ''}, ${range}`;
  });
  return `Chez ${shop.name}, nous avons : 👗\n${lines.join('\n')}\n\nQu'est-ce qui vous ferait plaisir ?`;
}

function budget(n: string): number | undefined {
  const match = /\b(?:moins de|max(?:imum)?|pas plus de|budget(?: de)?|jusqu a)\s+(\d+(?: \d{3})*)\s*(k|mille)?\s*(?:f|fr|frs|fcfa|francs?|cfa)?\b/.exec(n);
  if (!match) return undefined;
  const amount = Number(match[1]!.replace(/ /g, ''));
  return match[2] ? amount * 1000 : amount;
}

const PRICE_WORDS = new Set(['mille', 'fcfa', 'franc', 'cfa', 'max', 'maximum', 'budget', 'moin', 'jusqu', 'taille', 'size']);

function searchAnswer(
  words: readonly string[],
  size: string | undefined,
  maxPriceFcfa: number | undefined,
  snapshot: CatalogueSnapshot,
): string | null {
  const query = { text: words.join(' '), limit: 4, ...(size && { size }), ...(maxPriceFcfa && { maxPriceFcfa }) };
  const result = searchCatalogue(snapshot.products, query);
  if (!result.strong || result.matchedTerms.length === 0 || result.unmatchedTerms.length > 3) return null;
  const occasion = result.matchedTerms.find((term) => OCCASION_WORDS.has(term));
  const category = result.matchedTerms
    .map((term) => snapshot.products.find((product) => singular(normalize(product.category)) === term)?.category)
    .find((found) => found !== undefined);
  if (result.total === 0) {
    const limits = [size && `en taille ${size.toUpperCase()}`, maxPriceFcfa && `à ${formatFcfa(maxPriceFcfa)} ou moins`];
    const others = searchCatalogue(snapshot.products, { text: query.text, limit: 4 }).products;
    const shown = others.length > 0 ? `\nVoici ce que nous avons :\n\n${others.map(formatProductLine).join('\n\n')}` : '';
    return `Désolé, pas de ${category ?? 'modèle'} ${limits.filter(Boolean).join(' ')} pour le moment. 😔${shown}`;
  }
  const label = occasion === undefined ? undefined : OCCASION_LABELS[occasion];
  const filters = [size && ` en ${size.toUpperCase()}`, maxPriceFcfa && ` à ${formatFcfa(maxPriceFcfa)} ou moins`].filter(Boolean).join('');
  const intro = label
    ? `Parfait pour ${label} ! 👗 Voici ce que je vous propose :`
    : occasion
      ? 'Voici nos modèles les plus élégants : 👗'
      : category
        ? `Oui, voici nos ${category}${filters} :`
        : `Voici ce que nous avons${filters} :`;
  const more = result.total > result.products.length ? `\n\n(+ ${result.total - result.products.length} autre(s) modèle(s))` : '';
  const question = result.products.every(isOneSize) ? 'Lequel vous plaît ?' : 'Quelle taille faites-vous ?';
  return `${intro}\n\n${result.products.map(formatProductLine).join('\n\n')}${more}\n\n${question}`;
}

/**
 * The answer to a customer's message from the catalogue alone, or `null` when the message
 * is not one of the questions it answers for sure (orders, complaints, requests for a
 * person, anything vague): the caller then does what it does without an answer.
 *
 * @example
 * answerFromCatalogue('Vous livrez à Marcory ?', snapshot, DEMO_SHOP)
 * // 'Oui ! Nous livrons à Marcory. 🚚\nFrais : 2 000 FCFA\nDélai : 24–48 h'
 */
export function answerFromCatalogue(text: string, snapshot: CatalogueSnapshot, shop: ShopConfig): string | null {
  const n = normalize(text);
  if (n === '' || FOR_A_PERSON.some((pattern) => pattern.test(n)) || ORDER.test(n)) return null;
  const words = n.split(' ');
  const greeting = /^(bonsoir|bsr)\b/.test(n) ? 'Bonsoir' : 'Bonjour';
  if (words.every((word) => GREETING_WORDS.has(word))) {
    if (!words.some((word) => HELLO.test(word) || word === 'allo')) return null;
    const examples = categories(snapshot).join(', ');
    return (
      `${greeting} et bienvenue chez ${shop.name} ! 👋\n` +
      `Je peux vous donner tout de suite nos prix, les tailles disponibles, les frais et délais de livraison à ${shop.city} et nos horaires.\n` +
      `Que recherchez-vous aujourd'hui ?${examples ? ` (${examples})` : ''}`
    );
  }
  const greeted = HELLO.test(words[0]!);
  const answer = answerQuestion(text, n, snapshot, shop);
  return answer && greeted ? `${greeting} ! 👋\n${answer}` : answer;
}

function answerQuestion(text: string, n: string, snapshot: CatalogueSnapshot, shop: ShopConfig): string | null {
  const size = SIZE.exec(text)?.[1]?.toLowerCase();
  const product = findProduct(snapshot.products, text);
  const parts: string[] = [];
  if (product) parts.push(productAnswer(product, size, /\b(photos?|images?|voir)\b/.test(n)));
  const delivery = deliveryAnswer(text, n, snapshot.zones, shop);
  if (delivery) parts.push(delivery);
  if (parts.length > 0) return parts.join('\n\n');
  if (HOURS.test(n)) return `Nous sommes ouverts ${shop.openingHours}. 🕘\nEt ici, vous pouvez m'écrire à tout moment !`;
  const maxPriceFcfa = budget(n);
  const words = tokens(text).filter((word) => !/^\d/.test(word) && !PRICE_WORDS.has(word));
  const anything = words.length > 0 && words.every((word) => ANY_ITEM_WORDS.has(word));
  if (OVERVIEW.test(n) || (anything && !size && !maxPriceFcfa)) return overview(snapshot, shop);
  return searchAnswer(words, size, maxPriceFcfa, snapshot);
}

/**
 * What the bot can do without a model, with examples from the catalogue: said when a
 * message is neither a question the catalogue answers nor part of a purchase.
 */
export function helpAnswer(snapshot: CatalogueSnapshot, shop: ShopConfig): string {
  const product = snapshot.products.find((candidate) => candidate.category === categories(snapshot)[0]);
  const [category] = categories(snapshot);
  const zone = snapshot.zones[0];
  const examples = [
    product && `- prix et tailles : « combien coûte ${product.name.toLowerCase()} ? »`,
    product && `- commander : « je prends ${product.name.toLowerCase()}${isOneSize(product) ? '' : ` en ${sizesInStock(product)[0] ?? 'M'}`} »`,
    category && `- nos articles : « vous avez des ${category} ? »`,
    zone && `- la livraison : « vous livrez à ${zone.name} ? »`,
    '- nos horaires : « vous êtes ouverts quand ? »',
  ].filter(Boolean);
  return (
    `Je suis l'assistant de ${shop.name}. 🤖 Je réponds tout de suite sur :\n${examples.join('\n')}\n` +
    'Pour tout le reste, une personne de la boutique vous répondra ici dès que possible. 🙏'
  );
}
