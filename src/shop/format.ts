/**
 * How prices, sizes, products and zones are written to customers. Every figure comes from
 * the data given; nothing here knows a price.
 */
import type { DeliveryZone, Product } from '../store/types.js';

/**
 * An amount in FCFA with a plain space (U+0020) between thousands, as customers write it.
 *
 * @example formatFcfa(45000) // '45 000 FCFA'
 */
export function formatFcfa(amount: number, currency = 'FCFA'): string {
  const rounded = Math.round(amount);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${rounded < 0 ? '-' : ''}${digits} ${currency}`;
}

/** Whether the product only comes in one size (`Unique`, or a single unnamed size). */
export function isOneSize(product: Product): boolean {
  return product.sizes.length === 1 && /^(unique|tu|taille unique|)$/i.test(product.sizes[0]!.size.trim());
}

/** Sizes with at least one item left, in the product's order. */
export function sizesInStock(product: Product): string[] {
  return product.sizes.filter((size) => size.stock > 0).map((size) => size.size);
}

/**
 * The sizes a customer can buy now, out-of-stock ones noted after them.
 *
 * @example formatSizes(robeCocktailBordeaux) // 'S, M, L (XL épuisé)'
 * @example formatSizes(sacCabas) // 'unique'
 */
export function formatSizes(product: Product): string {
  if (isOneSize(product)) return product.sizes[0]!.stock > 0 ? 'unique' : 'unique (épuisé)';
  const available = sizesInStock(product);
  const soldOut = product.sizes.filter((size) => size.stock <= 0).map((size) => size.size);
  if (product.sizes.length === 0) return 'nous consulter';
  if (available.length === 0) return `épuisé dans toutes les tailles (${soldOut.join(', ')})`;
  if (soldOut.length === 0) return available.join(', ');
  return `${available.join(', ')} (${soldOut.join(', ')} ${soldOut.length > 1 ? 'épuisés' : 'épuisé'})`;
}

/**
 * A product as listed in a chat message.
 *
 * @example
 * formatProductLine(robeCocktailBordeaux)
 * // '▸ Robe Cocktail Bordeaux - 45 000 FCFA\n   Taille : S, M, L (XL épuisé)\n   💬 Idéale pour cérémonies'
 */
export function formatProductLine(product: Product): string {
  const lines = [`▸ ${product.name} - ${formatFcfa(product.priceFcfa)}`, `   Taille : ${formatSizes(product)}`];
  if (product.description.trim() !== '') lines.push(`   💬 ${product.description.trim()}`);
  return lines.join('\n');
}

/**
 * A delivery zone on one line.
 *
 * @example formatZone(marcory) // 'Marcory : 2 000 FCFA (24–48 h)'
 */
export function formatZone(zone: DeliveryZone): string {
  return `${zone.name} : ${formatFcfa(zone.feeFcfa)} (${zone.delay})`;
}
