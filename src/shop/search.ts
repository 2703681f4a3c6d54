/**
 * Finding products and delivery zones from what customers type. Pure functions over the
 * catalogue: accent- and case-insensitive, plural-tolerant, forgiving of small typos, and
 * silent (undefined / empty) rather than wrong when unsure.
 */
import type { DeliveryZone, Product } from '../store/types.js';
import { isTypoOf, normalize, singular, tokens } from './text.js';

/** What to look for; every field is optional. */
export interface ProductQuery {
  /** Free text from the customer, e.g. `une robe pour un mariage`. */
  readonly text?: string;
  /** Category name, singular or plural (`robe` finds `robes`). */
  readonly category?: string;
  /** Only products with this size in stock (case-insensitive). */
  readonly size?: string;
  /** Only products at or under this price. */
  readonly maxPriceFcfa?: number;
  /** At most this many products (default 5). */
  readonly limit?: number;
}

/** What {@link searchCatalogue} found, and how it read the text. */
export interface SearchResult {
  /** Best first: most query words matched, then highest score, then cheapest. */
  readonly products: readonly Product[];
  /** How many products matched before `limit`. */
  readonly total: number;
  /** Query words that matched some product (after filters are ignored). */
  readonly matchedTerms: readonly string[];
  /** Query words that matched nothing. */
  readonly unmatchedTerms: readonly string[];
  /** True when a matched word was found in a name or category, not only in a description. */
  readonly strong: boolean;
}

/** Words that mean "any clothes": they match every product. */
export const ANY_ITEM_WORDS: ReadonlySet<string> = new Set(['habit', 'tenue', 'vetement', 'fringue', 'look', 'tenu']);

/** Occasions customers dress up for; they look for the dressiest products. */
export const OCCASION_WORDS: ReadonlySet<string> = new Set([
  'mariage', 'ceremonie', 'soiree', 'fete', 'gala', 'bapteme', 'anniversaire', 'dot', 'communion', 'occasion', 'chic',
  'elegant', 'elegante', 'habille', 'habillee',
]);

const DRESSY = ['ceremonie', 'occasion', 'elegante', 'cocktail', 'soiree', 'fete', 'raffinee'];

/** Extra words a query word also finds (all normalized and singular). */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  bureau: ['bureau', 'tailleur', 'infroissable'],
  travail: ['bureau', 'tailleur', 'infroissable'],
  boulot: ['bureau', 'tailleur', 'infroissable'],
  sacoche: ['sac', 'cabas'],
  pochette: ['sac'],
  cabas: ['cabas', 'sac'],
  echarpe: ['foulard'],
  turban: ['foulard'],
  homme: ['homme', 'chemise'],
  monsieur: ['homme', 'chemise'],
  garcon: ['homme', 'chemise'],
  chaleur: ['lin', 'leger', 'chaleur'],
  leger: ['lin', 'leger'],
  pagne: ['pagne', 'wax', 'kita'],
  boubou: ['boubou', 'bazin'],
  complet: ['ensemble'],
  accessoire: ['accessoire', 'sac', 'foulard'],
};

const FIELD_WEIGHT = { name: 3, category: 2, description: 1 } as const;

interface IndexedProduct {
  readonly product: Product;
  readonly name: ReadonlySet<string>;
  readonly category: ReadonlySet<string>;
  readonly description: ReadonlySet<string>;
}

function index(product: Product): IndexedProduct {
  return {
    product,
    name: new Set([...tokens(product.name), ...tokens(product.slug)]),
    category: new Set(tokens(product.category)),
    description: new Set(tokens(product.description)),
  };
}

/** How well `word` matches one of `known`: 1 exact, 0.8 prefix, 0.7 typo, 0 not at all. */
function wordMatch(word: string, known: ReadonlySet<string>): number {
  if (known.has(word)) return 1;
  let best = 0;
  for (const candidate of known) {
    if (word.length >= 5 && candidate.startsWith(word)) best = Math.max(best, 0.8);
    else if (candidate.length >= 5 && word.startsWith(candidate)) best = Math.max(best, 0.8);
    else if (isTypoOf(word, candidate)) best = Math.max(best, 0.7);
  }
  return best;
}

/** Score of one query word against one product, and whether it hit the name or category. */
function termScore(term: string, item: IndexedProduct): { score: number; strong: boolean } {
  if (ANY_ITEM_WORDS.has(term)) return { score: 0.5, strong: true };
  const alternatives: Array<[string, number]> = [[term, 1]];
  for (const synonym of SYNONYMS[term] ?? []) alternatives.push([synonym, 0.8]);
  if (OCCASION_WORDS.has(term)) for (const synonym of DRESSY) alternatives.push([synonym, 0.8]);
  let score = 0;
  let strong = false;
  for (const [word, factor] of alternatives) {
    for (const field of ['name', 'category', 'description'] as const) {
      const value = FIELD_WEIGHT[field] * factor * wordMatch(word, item[field]);
      if (value > score) score = value;
      if (value > 0 && field !== 'description') strong = true;
    }
  }
  return { score, strong };
}

function sameCategory(product: Product, category: string): boolean {
  return singular(normalize(product.category)) === singular(normalize(category));
}

function hasSizeInStock(product: Product, size: string): boolean {
  const wanted = normalize(size);
  return product.sizes.some((entry) => entry.stock > 0 && normalize(entry.size) === wanted);
}

/**
 * Searches the catalogue and says how the text was read. With `text`, only products
 * matching the most query words are kept (a wedding dress query keeps the dresses that
 * suit a wedding, not every dress); without it, every product passing the filters.
 */
export function searchCatalogue(products: readonly Product[], query: ProductQuery): SearchResult {
  const limit = query.limit ?? 5;
  const terms = [...new Set(query.text === undefined ? [] : tokens(query.text).filter((word) => !/^\d+$/.test(word)))];
  const filtered = products.filter(
    (product) =>
      (query.category === undefined || sameCategory(product, query.category)) &&
      (query.size === undefined || hasSizeInStock(product, query.size)) &&
      (query.maxPriceFcfa === undefined || product.priceFcfa <= query.maxPriceFcfa),
  );
  const byPrice = (a: Product, b: Product) => a.priceFcfa - b.priceFcfa || a.name.localeCompare(b.name, 'fr');
  if (query.text === undefined) {
    const sorted = [...filtered].sort(byPrice);
    return { products: sorted.slice(0, limit), total: sorted.length, matchedTerms: [], unmatchedTerms: [], strong: false };
  }

  const matched = new Set<string>();
  let strong = false;
  const scoredAll = products.map(index).map((item) => {
    let score = 0;
    let coverage = 0;
    for (const term of terms) {
      const result = termScore(term, item);
      if (result.score > 0) {
        score += result.score;
        coverage += 1;
        matched.add(term);
        if (result.strong) strong = true;
      }
    }
    return { product: item.product, score, coverage };
  });
  const kept = new Set(filtered);
  const scored = scoredAll.filter((entry) => entry.coverage > 0 && kept.has(entry.product));
  const best = Math.max(0, ...scored.map((entry) => entry.coverage));
  const ranked = scored
    .filter((entry) => entry.coverage === best)
    .sort((a, b) => b.score - a.score || byPrice(a.product, b.product))
    .map((entry) => entry.product);
  return {
    products: ranked.slice(0, limit),
    total: ranked.length,
    matchedTerms: terms.filter((term) => matched.has(term)),
    unmatchedTerms: terms.filter((term) => !matched.has(term)),
    strong,
  };
}

/**
 * The products best matching a query, best first.
 *
 * @example searchProducts(products, { text: 'robe pour un mariage', size: 'M' })
 */
export function searchProducts(products: readonly Product[], query: ProductQuery): Product[] {
  return [...searchCatalogue(products, query).products];
}

/** Name words too common to point at one product on their own (`en haut`, `en main propre`). */
const WEAK_NAME_WORDS: ReadonlySet<string> = new Set(['haut', 'main', 'manche', 'courte', 'grand', 'petit']);

function phrase(text: string): string {
  return normalize(text).split(' ').map(singular).join(' ');
}

/**
 * The one product a customer names: by slug, by exact name, by a name contained in a
 * sentence, or by the words of a name (typos allowed) that only one product has.
 * Undefined when several products fit (`la robe`) or none clearly does.
 *
 * @example findProduct(products, 'combien coûte la robe cocktel bordeaux ?') // Robe Cocktail Bordeaux
 */
export function findProduct(products: readonly Product[], query: string): Product | undefined {
  const raw = query.trim().toLowerCase();
  const bySlug = products.find((product) => product.slug === raw);
  if (bySlug) return bySlug;
  const wanted = ` ${phrase(query)} `;
  if (wanted.trim() === '') return undefined;

  let longest: { product: Product; length: number } | undefined;
  for (const product of products) {
    for (const name of [phrase(product.name), phrase(product.slug)]) {
      if (wanted.includes(` ${name} `) && (!longest || name.length > longest.length)) {
        longest = { product, length: name.length };
      }
    }
  }
  if (longest) return longest.product;

  const items = products.map(index);
  const asked = [...new Set(tokens(query))];
  const relevant = asked.filter((word) => items.some((item) => wordMatch(word, item.name) > 0));
  if (relevant.length === 0 || relevant.every((word) => WEAK_NAME_WORDS.has(word))) return undefined;
  const candidates = items.filter((item) => relevant.every((word) => wordMatch(word, item.name) > 0));
  return candidates.length === 1 ? candidates[0]!.product : undefined;
}

interface ZoneHit {
  readonly zone: DeliveryZone;
  readonly label: string;
  readonly start: number;
  readonly length: number;
  readonly exact: boolean;
}

function zoneHits(zones: readonly DeliveryZone[], words: readonly string[]): ZoneHit[] {
  const hits: ZoneHit[] = [];
  for (const zone of zones) {
    for (const label of [zone.name, ...zone.aliases]) {
      const parts = normalize(label).split(' ').filter(Boolean);
      if (parts.length === 0) continue;
      const joined = parts.join('');
      for (let start = 0; start < words.length; start++) {
        if (parts.every((part, offset) => words[start + offset] === part)) {
          hits.push({ zone, label, start, length: parts.length, exact: true });
          continue;
        }
        // "portbouet", "port boue", "Marcori": the label's words glued together, give or take a typo
        for (let length = 1; length <= parts.length + 1 && start + length <= words.length; length++) {
          const typed = words.slice(start, start + length).join('');
          if (typed === joined || (length <= parts.length && isTypoOf(typed, joined))) {
            hits.push({ zone, label, start, length, exact: typed === joined });
          }
        }
      }
    }
  }
  return hits;
}

/** A zone found in a text, and which of its names (or aliases) the customer used. */
export interface ZoneMention {
  readonly zone: DeliveryZone;
  /** The name or alias as the shop writes it, e.g. `Angré` for Cocody. */
  readonly label: string;
}

/**
 * Every zone named in a text, in the order they appear. Names and aliases are matched as
 * whole words, accent- and case-insensitively; words of 5 letters or more may carry a typo
 * (`Marcori`, `Yopougn`). Where two readings overlap the longer wins (`Deux Plateaux` is
 * Cocody, not Plateau).
 */
export function findZoneMentions(zones: readonly DeliveryZone[], text: string): ZoneMention[] {
  const words = normalize(text).split(' ').filter(Boolean);
  const hits = zoneHits(zones, words).sort(
    (a, b) => b.length - a.length || Number(b.exact) - Number(a.exact) || a.start - b.start,
  );
  const taken = new Set<number>();
  const chosen: ZoneHit[] = [];
  for (const hit of hits) {
    const covered = Array.from({ length: hit.length }, (_, offset) => hit.start + offset);
    if (covered.some((position) => taken.has(position))) continue;
    covered.forEach((position) => taken.add(position));
    chosen.push(hit);
  }
  const found: ZoneMention[] = [];
  for (const hit of chosen.sort((a, b) => a.start - b.start)) {
    if (!found.some((mention) => mention.zone === hit.zone)) found.push({ zone: hit.zone, label: hit.label });
  }
  return found;
}

/** The zones of {@link findZoneMentions}, without how they were named. */
export function findZones(zones: readonly DeliveryZone[], text: string): DeliveryZone[] {
  return findZoneMentions(zones, text).map((mention) => mention.zone);
}

/**
 * The delivery zone a customer means, from a bare name (`MARCORY`, `zone 4`, `Yop`) or a
 * sentence (`vous livrez à Marcory ?`). The first one named when there are several;
 * undefined when none is recognised.
 */
export function findZone(zones: readonly DeliveryZone[], query: string): DeliveryZone | undefined {
  return findZones(zones, query)[0];
}
