import { describe, expect, it } from 'vitest';
import type { CatalogueSnapshot } from '../../src/shop/catalogue.js';
import { transcriptionPrompt } from '../../src/voice/vocabulary.js';

const shop = { name: 'Mode Ivoire', city: 'Abidjan' };
const product = (name: string, category: string) => ({
  id: name,
  slug: name,
  name,
  description: '',
  category,
  priceFcfa: 10_000,
  photoUrl: null,
  sizes: [],
});
const snapshot: CatalogueSnapshot = {
  products: [product('Robe pagne wax', 'robes'), product('Chemise bogolan', 'chemises'), product('Robe pagne wax', 'robes')],
  zones: [
    { id: 'z1', name: 'Marcory', aliases: ['Zone 4'], feeFcfa: 1500, delay: '24 h' },
    { id: 'z2', name: 'Yopougon', aliases: [], feeFcfa: 2000, delay: '24–48 h' },
  ],
  loadedAt: 0,
};

describe('transcriptionPrompt', () => {
  it('names the shop, its products and categories once each, and its communes with their other names', () => {
    expect(transcriptionPrompt(shop, snapshot)).toBe(
      "Message vocal d'un client de Mode Ivoire, boutique à Abidjan. Articles : Robe pagne wax, Chemise bogolan, robes, chemises. Livraison : Marcory (Zone 4), Yopougon.",
    );
  });

  it('still says who speaks without a catalogue', () => {
    expect(transcriptionPrompt(shop, undefined)).toBe("Message vocal d'un client de Mode Ivoire, boutique à Abidjan.");
  });

  it('is cut between two words, never past its limit', () => {
    const prompt = transcriptionPrompt(shop, snapshot, 100);
    expect(prompt.length).toBeLessThanOrEqual(100);
    expect(prompt).toBe("Message vocal d'un client de Mode Ivoire, boutique à Abidjan. Articles : Robe pagne wax, Chemise");
  });
});
