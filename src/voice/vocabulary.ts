import type { CatalogueSnapshot } from '../shop/catalogue.js';
import type { ShopConfig } from '../shop/config.js';

/**
 * The transcription prompt: who is speaking to whom, and the words to expect (the shop's
 * products and categories, the communes it delivers to and their other names), so "Marcory"
 * and "pagne wax" come out spelled the shop's way. Cut at `maxChars`, between two words.
 *
 * @example
 * transcriptionPrompt(shop, catalogue.snapshot());
 * // "Message vocal d'un client de Mode Ivoire, boutique à Abidjan. Articles : Robe pagne wax, … Livraison : Cocody, Marcory (Zone 4), …"
 */
export function transcriptionPrompt(
  shop: Pick<ShopConfig, 'name' | 'city'>,
  snapshot: CatalogueSnapshot | undefined,
  maxChars = 800,
): string {
  const opening = `Message vocal d'un client de ${shop.name}, boutique à ${shop.city}.`;
  if (!snapshot) return opening;
  const products = unique([...snapshot.products.map((product) => product.name), ...snapshot.products.map((product) => product.category)]);
  const zones = snapshot.zones.map((zone) => (zone.aliases.length > 0 ? `${zone.name} (${zone.aliases.join(', ')})` : zone.name));
  const text = [opening, products.length > 0 && `Articles : ${products.join(', ')}.`, zones.length > 0 && `Livraison : ${zones.join(', ')}.`]
    .filter(Boolean)
    .join(' ');
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  return cut.slice(0, Math.max(cut.lastIndexOf(' '), opening.length)).replace(/[ ,(]+$/, '');
}

function unique(words: readonly string[]): string[] {
  const seen = new Set<string>();
  return words.filter((word) => {
    const key = word.trim().toLowerCase();
    if (key === '' || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
