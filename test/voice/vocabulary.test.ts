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
    { id: 'z1', name: 'Marcory', aliases: ['Zone 4', 'Biétry'], feeFcfa: 1500, delay: '24 h' },
    { id: 'z2', name: 'Yopougon', aliases: [], feeFcfa: 2000, delay: '24–48 h' },
  ],
  loadedAt: 0,
};
const OPENING = "Message vocal d'un client de Mode Ivoire, boutique à Abidjan.";

describe('transcriptionPrompt', () => {
  it('names the shop, then its communes, products, quarters and categories, each once', () => {
    expect(transcriptionPrompt(shop, snapshot)).toBe(
      `${OPENING} Livraison à : Marcory, Yopougon. Articles : Robe pagne wax, Chemise bogolan. Quartiers : Zone 4, Biétry. Rayons : robes, chemises.`,
    );
  });

  it('still says who speaks without a catalogue', () => {
    expect(transcriptionPrompt(shop, undefined)).toBe(OPENING);
  });

  it('keeps the most useful words when it must be short: communes first, cut between two words', () => {
    const prompt = transcriptionPrompt(shop, snapshot, 125);
    expect(prompt).toBe(`${OPENING} Livraison à : Marcory, Yopougon. Articles : Robe pagne wax.`);
    expect(prompt.length).toBeLessThanOrEqual(125);
    expect(transcriptionPrompt(shop, snapshot, 70)).toBe(OPENING);
  });
});
