/**
 * Reading what a customer types during a purchase, without a model: yes, no, cancel, change,
 * a size, a quantity, a choice by number, a name, a phone number. Pure functions
 * over the text; each says nothing rather than guess.
 */
import type { Product } from '../../store/types.js';
import { normalizePhone } from '../phone.js';
import { normalize } from '../text.js';

/** What a short answer means at a point of the dialogue. */
export type Intent = 'confirm' | 'cancel' | 'modify' | 'add' | 'no' | 'done' | 'status';

const CONFIRM = /^(oui|ouais|ouii+|yes|ok|okay|okk|d accord|dac|daccord|parfait|super|go|valide[rz]?|je valide|confirme[rz]?|je confirme|c est bon|c est ok|ca marche|vas y|allez y|exact|c est ca|tout est bon)\b|\bje (la |le |les )?confirme\b|\bconfirmer\b/;
const CANCEL = /\b(annule[rz]?|annulation|laisse[rz]? tomber|j abandonne|abandonne[rz]?|je ne (la |le |les )?veux plus|je veux plus|plus besoin|on arrete|arrete[rz]? tout)\b/;
const MODIFY = /\b(modifie[rz]?|modification|change[rz]?|changement|corrige[rz]?|rectifie[rz]?|erreur|pas le bon|pas la bonne|plutot|en fait)\b/;
const ADD = /\b(ajoute[rz]?|rajoute[rz]?|en plus|un autre article|autre article|encore un|une autre)\b/;
const NO = /^(non|nan|no|nope|pas maintenant|non merci)\b/;
const DONE = /^(c est tout|ce sera tout|rien d autre|c est bon comme ca|c est tout merci)\b/;
const STATUS = new RegExp(
  [
    '\\b(ou en est|ou est|suivi|statut|etat|des nouvelles)( de)? (ma|mon|notre) (commande|colis|livraison)\\b',
    '\\b(ma|mon) (commande|colis) (est|arrive|sera|a ete|n est)\\b',
    '\\bquand\\b.*\\b(je (vais )?(recevoir|etre livree?)|ma commande|mon colis)\\b',
    '\\b(toujours|encore) pas (recu|ete livree?|arrive)e?s?\\b',
  ].join('|'),
);
const ORDER = /\b(je (la |le |les )?(prends?|reprends?)|je vais (la |le |les )?prendre|commander|je commande|passer (une )?commande|acheter|j achete|reserver|reserve[zr]? (la|le|les|moi)|je (la|le|les) (veux|voudrais)|je (veux|voudrais|prendrais)( aussi| egalement| bien| plutot)? (la|le|les|celle|celui|cette|ce)\b|(me|m) plai(t|sent)|j aime (bien )?(la|le|les|celle|celui|cette|ce)\b|je choisis|mettez moi|donnez moi|envoyez moi|il me (la|le|les|faut))/;

/** The meaning of a short answer, or `undefined`. Cancel wins over everything, then status. */
export function readIntent(text: string): Intent | undefined {
  const n = normalize(text);
  if (n === '') return undefined;
  if (CANCEL.test(n)) return 'cancel';
  if (STATUS.test(n)) return 'status';
  if (DONE.test(n)) return 'done';
  if (NO.test(n)) return 'no';
  if (MODIFY.test(n)) return 'modify';
  if (CONFIRM.test(n)) return 'confirm';
  if (ADD.test(n)) return 'add';
  return undefined;
}

/** Whether the customer says they want to buy (`je la prends`, `la bordeaux me plaît`, `je veux commander`). */
export function wantsToBuy(text: string): boolean {
  return ORDER.test(normalize(text));
}

/** Whether the text is a question (`vous avez la bordeaux en M ?`) rather than a choice. */
export function isQuestion(text: string): boolean {
  return text.includes('?') || /^(est ce que|vous avez|avez vous|y a t il|il y a|c est combien|combien|quel|quelle|quels|quelles|pourquoi|comment)\b/.test(normalize(text));
}

/** Whether the text asks about an order already placed (`où en est ma commande ?`). */
export function asksOrderStatus(text: string): boolean {
  return STATUS.test(normalize(text));
}

const SIZE_WORD = '(xxs|xs|s|m|l|xl|xxl|xxxl|3xl|\\d{2})';
const SIZE_ALONE = new RegExp(`^(?:taille|en|du|la|le)?\\s*${SIZE_WORD}\\s*[.!]*$`, 'iu');
const SIZE_AFTER = new RegExp(`(?:^|[\\s,(])(?:en|taille|size|du|la|le|une|un)\\s+${SIZE_WORD}(?![\\p{L}\\d'’])`, 'iu');
const LONG_SIZE = /(?:^|[\s,(])(xxs|xs|xl|xxl|xxxl|3xl)(?![\p{L}\d'’])/iu;

/**
 * The size the customer names for `product`, as the catalogue writes it: `M`, `en M`,
 * `taille 40`, `du 40`, `XL`; `Unique` for a one-size product. A single letter counts only on
 * its own or after `en`, `taille`… (`l'ensemble` and `m'appeler` are not sizes). `undefined`
 * when no size is named; the size named even if the product does not have it (`asked`).
 */
export function readSize(text: string, product?: Product): { size?: string; asked?: string } {
  const trimmed = text.trim();
  const named = (SIZE_ALONE.exec(trimmed) ?? SIZE_AFTER.exec(trimmed) ?? LONG_SIZE.exec(trimmed))?.[1];
  if (product && product.sizes.length === 1 && /^(unique|tu|taille unique)$/i.test(product.sizes[0]!.size)) {
    return { size: product.sizes[0]!.size };
  }
  if (!named) {
    if (product && /\bunique\b/i.test(trimmed)) return { asked: 'unique' };
    return {};
  }
  const asked = named.toUpperCase() === '3XL' ? 'XXXL' : named.toUpperCase();
  const found = product?.sizes.find((entry) => entry.size.toUpperCase() === asked || (asked === 'XXXL' && entry.size.toUpperCase() === '3XL'));
  return found ? { size: found.size, asked } : { asked };
}

const NUMBER_WORDS: Readonly<Record<string, number>> = { un: 1, une: 1, deux: 2, trois: 3, quatre: 4, cinq: 5, six: 6, sept: 7, huit: 8, neuf: 9, dix: 10 };
const PIECE_NOUNS = '(?:x|fois|pieces?|exemplaires?|articles?|robes?|chemises?|ensembles?|jupes?|pantalons?|sacs?|foulards?|tenues?)';
const QUANTITY = new RegExp(`(?:^|\\s)(\\d{1,2}|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix)\\s*${PIECE_NOUNS}(?:\\s|$)`);
const TIMES = /(?:^|\s)x\s?(\d{1,2})(?:\s|$)/;

/** How many pieces the customer asks for (`2 robes`, `x3`, `deux pièces`), or `undefined`. */
export function readQuantity(text: string): number | undefined {
  const n = normalize(text);
  const match = QUANTITY.exec(n) ?? TIMES.exec(n);
  if (!match) return undefined;
  const word = match[1]!;
  const value = NUMBER_WORDS[word] ?? Number(word);
  return Number.isInteger(value) && value >= 1 ? value : undefined;
}

const ORDINALS: Readonly<Record<string, number>> = {
  premier: 1, premiere: 1, deuxieme: 2, second: 2, seconde: 2, troisieme: 3, quatrieme: 4, cinquieme: 5, sixieme: 6,
  dernier: -1, derniere: -1,
};

/**
 * A choice by its number in the list just shown (`2`, `n°2`, `le 2`, `la deuxième`), 1-based
 * (`-1` for "the last"); only when that is the whole message.
 */
export function readChoiceNumber(text: string): number | undefined {
  const n = normalize(text);
  const digits = /^(?:(?:le|la|l|choix|numero|num|no|n)\s*)?(\d{1,2})(?:\s*(?:svp|stp|merci|s il vous plait))?$/.exec(n);
  if (digits) return Number(digits[1]);
  const ordinal = /^(?:(?:le|la|l)\s+)?(premier|premiere|deuxieme|second|seconde|troisieme|quatrieme|cinquieme|sixieme|dernier|derniere)(?:\s+\w+)?$/.exec(n);
  return ordinal ? ORDINALS[ordinal[1]!] : undefined;
}

const PHONE_LIKE = /(?:\+|00)?\d[\d\s.\-/()]{6,}\d/g;
const ANY_DIGITS = /(?:\+|00)?\d[\d\s.\-/()]*\d/g;

/**
 * A phone number in the text, read for the shop's country: `valid` in E.164, or `invalid`
 * with what the customer typed when something looks like a number (8 digits or more, or
 * "mon numéro …", or 4 digits or more when a number is `expected`) and is not one. Amounts
 * (`45 000`) are not mistaken for numbers.
 */
export function readPhone(text: string, country: string, options: { expected?: boolean } = {}): { valid?: string; invalid?: string; raw?: string } {
  const candidates = text.match(options.expected ? ANY_DIGITS : PHONE_LIKE) ?? [];
  let invalid: string | undefined;
  for (const candidate of candidates) {
    const digits = candidate.replace(/\D/g, '');
    if (digits.length < (options.expected ? 4 : 8)) continue;
    const valid = normalizePhone(candidate, country);
    if (valid) return { valid, raw: candidate.trim() };
    invalid ??= candidate.trim();
  }
  if (invalid) return { invalid };
  const said = /\b(?:num(?:e|é)ro|t(?:e|é)l(?:(?:e|é)phone)?|portable|contact)\b[^\d+]{0,20}(\+?\d[\d\s.\-]{1,})/iu.exec(text);
  return said ? { invalid: said[1]!.trim() } : {};
}

const NAME_INTRO = /(?:je m['’ ]?appelle|mon nom (?:c['’ ]?est|est)|nom(?: complet)?\s*:)\s+(.+)$/iu;
const NAME = /^[\p{L}][\p{L}'’. -]{0,58}[\p{L}.]$/u;
const NOT_A_NAME = new Set([
  'oui', 'non', 'ok', 'merci', 'bonjour', 'bonsoir', 'salut', 'svp', 'stp', 'confirmer', 'annuler', 'modifier', 'valider', 'livraison',
  'commande', 'robe', 'taille', 'bien', 'parfait', 'super', 'telephone', 'numero', 'commune', 'quartier', 'adresse', 'nom', 'prenom',
  'combien', 'quel', 'quelle', 'pourquoi', 'comment', 'quand', 'c', 'est', 'tout', 'rien', 'd', 'accord', 'moi', 'je', 'vous',
  'avec', 'plaisir', 'beaucoup', 'attendez', 'attends', 'instant', 'moment', 'pardon', 'desole', 'desolee', 'aide', 'question',
  'bon', 'bonne', 'journee', 'soiree', 'la', 'le', 'les', 'un', 'une', 'des', 'mais', 'pas', 'plus', 'encore', 'aussi', 'taille', 'prix',
]);

const PIECES = /[,;\n]|\s+-\s+|\s+et\s+|\s+(?=\+?\d)/u;
const CONNECTORS = new Set(['a', 'au', 'livraison', 'livrer', 'commune', 'quartier', 'tel', 'telephone', 'numero', 'moi', 'c', 'est']);

/** What {@link readName} must leave out: the phone as typed, and a test for the words of a commune. */
export interface NameReading {
  /** The whole message answers "votre nom ?": one word is enough. */
  readonly alone?: boolean;
  /** Substrings that are something else (the phone number as typed). */
  readonly exclude?: readonly string[];
  /** True for a word that names a commune (`Marcory`, `Marcori`). */
  readonly isPlace?: (word: string) => boolean;
}

/**
 * A person's name in the text: after `je m'appelle`, `mon nom est`, `nom :`; or, with
 * `alone`, the whole answer to "votre nom ?"; or what is left of an all-in-one message
 * (`Awa Koné, 07 07 12 34 56, Marcory`, `Awa Koné 0707123456 à Marcory`) once the phone and
 * the commune are taken out, when that is two words or more of letters only.
 */
export function readName(text: string, options: NameReading = {}): string | undefined {
  const intro = NAME_INTRO.exec(text.trim());
  const introduced = intro?.[1]?.split(PIECES)[0]?.trim();
  if (introduced && isName(introduced, 1)) return tidy(introduced);
  let rest = text;
  for (const excluded of options.exclude ?? []) if (excluded) rest = rest.split(excluded).join(',');
  const parts = rest.split(/[,;\n]|\s+-\s+/u).map((part) => part.trim()).filter(Boolean);
  const isPlace = options.isPlace ?? (() => false);
  const kept = parts
    .map((part) => part.split(/\s+/).filter((word) => !isPlace(word) && !CONNECTORS.has(normalize(word))).join(' '))
    .filter((part) => part !== '');
  if (options.alone && kept.length === 1 && parts.length === 1 && isName(kept[0]!, 1)) return tidy(kept[0]!);
  const named = kept.find((part) => isName(part, 2));
  return named ? tidy(named) : undefined;
}

function isName(candidate: string, minWords: number): boolean {
  const cleaned = candidate.replace(/[.!]+$/, '').trim();
  if (!NAME.test(cleaned)) return false;
  const words = normalize(cleaned).split(' ').filter(Boolean);
  if (words.length < minWords || words.length > 5) return false;
  return !words.some((word) => NOT_A_NAME.has(word)) && words.join('').length >= 2;
}

/** Trims, and capitalises a name typed all in lower case (`awa koné` → `Awa Koné`). */
function tidy(name: string): string {
  const cleaned = name.replace(/[.!]+$/, '').replace(/\s+/g, ' ').trim();
  if (cleaned !== cleaned.toLowerCase()) return cleaned;
  return cleaned.replace(/(^|[\s'’-])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
}
