/**
 * Text helpers for reading what customers type: accents, capitals, emoji, plurals and
 * small typos must not change what they mean.
 */

/**
 * Lowercase, accents removed (NFD), every run of punctuation, emoji or space turned into
 * one space, trimmed. Digits are kept.
 *
 * @example normalize('Vous livrez à Port-Bouët ?? 🚚') // 'vous livrez a port bouet'
 */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * Words that carry no meaning for finding a product or a zone: articles, pronouns, common
 * verbs of asking, politeness. Normalized (no accents).
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'au', 'aux', 'le', 'la', 'les', 'l', 'un', 'une', 'des', 'de', 'du', 'd', 'et', 'ou', 'en', 'pour', 'par',
  'sur', 'dans', 'avec', 'sans', 'chez', 'vers',
  'je', 'j', 'tu', 'il', 'elle', 'on', 'nous', 'vous', 'ils', 'elles', 'me', 'moi', 'te', 'toi', 'se', 's', 'y',
  'mon', 'ma', 'mes', 'ton', 'ta', 'tes', 'son', 'sa', 'ses', 'votre', 'vos', 'notre', 'nos', 'leur', 'leurs',
  'ce', 'cet', 'cette', 'ces', 'c', 'ca', 'cela', 'ci', 'qui', 'que', 'qu', 'quoi', 'quel', 'quelle', 'quels',
  'quelles', 'est', 'sont', 'suis', 'es', 'etre', 'ai', 'as', 'avez', 'avons', 'ont', 'avoir', 'auriez', 'aurais',
  'ne', 'n', 'pas', 'plus', 'tres', 'bien', 'aussi', 'encore', 'si', 'm', 't',
  'cherche', 'cherchais', 'recherche', 'veux', 'voudrais', 'voulais', 'aimerais', 'souhaite', 'souhaiterais',
  'faut', 'besoin', 'montrez', 'montre', 'montrer', 'voir', 'vendez', 'faites', 'fais', 'proposez', 'dispo',
  'disponible', 'disponibles', 'existe', 'combien', 'coute', 'coutent', 'prix', 'tarif', 'svp', 'stp', 'plait',
  'merci', 'bonjour', 'bonsoir', 'salut', 'hello', 'coucou', 'bjr', 'bsr', 'slt', 'oui', 'non', 'ok',
  'autre', 'autres', 'quelque', 'chose', 'genre', 'style', 'modele', 'modeles', 'article', 'articles',
  'taille', 'tailles',
]);

/**
 * Folds the French plural onto the singular, the same way on both sides of a comparison:
 * `robes` → `robe`, `chapeaux` → `chapeau`. Short words are left alone.
 */
export function singular(word: string): string {
  if (word.length > 4 && word.endsWith('eaux')) return word.slice(0, -1);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/**
 * The meaningful words of a text: normalized, stop words and single letters dropped,
 * plurals folded.
 *
 * @example tokens('Je cherche des Robes pour un mariage') // ['robe', 'mariage']
 */
export function tokens(text: string): string[] {
  return normalize(text)
    .split(' ')
    .filter((word) => word.length > 1 && !STOP_WORDS.has(word))
    .map(singular);
}

/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * A rough French sound-alike key for a normalized word, so `bordo` meets `bordeaux` and
 * `koktel` meets `cocktail`: `eau`/`au` → o, `ph` → f, hard `c`/`qu`/`ck` → k, `y` → i,
 * `ai`/`ei` → e, `en` → an, double letters single, silent final s, x, t dropped.
 */
export function phonetic(word: string): string {
  return word
    .replace(/eau|au/g, 'o')
    .replace(/ph/g, 'f')
    .replace(/ck|qu|c(?=[aoukrl]|$)/g, 'k')
    .replace(/y/g, 'i')
    .replace(/ai|ei/g, 'e')
    .replace(/en/g, 'an')
    .replace(/([a-z])\1+/g, '$1')
    .replace(/(?<=.{3})[sxt]$/, '');
}

/**
 * Whether a typed word is a small typo of a known one (words of 5 letters or more, no
 * digits): they sound alike ({@link phonetic}), or they start alike and differ by 1 edit
 * (5–7 letters) or 2 (from 8 letters).
 */
export function isTypoOf(typed: string, known: string): boolean {
  if (typed.length < 5 || known.length < 5 || /\d/.test(typed + known)) return false;
  if (phonetic(typed) === phonetic(known)) return true;
  if (typed[0] !== known[0]) return false;
  const allowed = Math.min(typed.length, known.length) >= 8 ? 2 : 1;
  return Math.abs(typed.length - known.length) <= allowed && levenshtein(typed, known) <= allowed;
}
