import type { CatalogueSnapshot } from '../shop/catalogue.js';
import type { ShopConfig } from '../shop/config.js';

/**
 * The transcription prompt: who is speaking to whom, and the words to expect, most useful
 * first: the communes the shop delivers to, its products, the other names of the communes
 * (quarters, "Zone 4"), its categories. So "Marcory" and "pagne wax" come out spelled the
 * shop's way. What does not fit in `maxChars` is left out, from the end, between two words.
 *
 * @example
 * transcriptionPrompt(shop, catalogue.snapshot());
 * // "Message vocal d'un client de Mode Ivoire, boutique à Abidjan. Livraison à : Cocody, Marcory, … Articles : Robe Wax Évasée, …"
 */
export function transcriptionPrompt(
  shop: Pick<ShopConfig, 'name' | 'city'>,
  snapshot: CatalogueSnapshot | undefined,
  maxChars = 800,
): string {
  const opening = `Message vocal d'un client de ${shop.name}, boutique à ${shop.city}.`;
  if (!snapshot) return opening;
  const sections: [string, string[]][] = [
    ['Livraison à', unique(snapshot.zones.map((zone) => zone.name))],
    ['Articles', unique(snapshot.products.map((product) => product.name))],
    ['Quartiers', unique(snapshot.zones.flatMap((zone) => zone.aliases))],
    ['Rayons', unique(snapshot.products.map((product) => product.category))],
  ];
  let text = opening;
  for (const [title, words] of sections) {
    if (words.length === 0) continue;
    const section = ` ${title} : ${words.join(', ')}.`;
    if (text.length + section.length <= maxChars) {
      text += section;
      continue;
    }
    const head = ` ${title} : `;
    const kept: string[] = [];
    for (const word of words) {
      if (text.length + head.length + [...kept, word].join(', ').length + 1 > maxChars) break;
      kept.push(word);
    }
    if (kept.length > 0) text += `${head}${kept.join(', ')}.`;
    break;
  }
  return text;
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
