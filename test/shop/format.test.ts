import { describe, expect, it } from 'vitest';
import { formatFcfa, formatProductLine, formatSizes, formatZone, isOneSize } from '../../src/shop/format.js';
import type { Product } from '../../src/store/types.js';
import { product, zone } from './fixtures.js';

describe('formatFcfa', () => {
  it.each([
    [45000, '45 000 FCFA'],
    [2000, '2 000 FCFA'],
    [500, '500 FCFA'],
    [0, '0 FCFA'],
    [1250000, '1 250 000 FCFA'],
    [-1500, '-1 500 FCFA'],
  ])('%i → %s', (amount, expected) => {
    expect(formatFcfa(amount)).toBe(expected);
  });

  it('uses a plain space, not a narrow no-break space', () => {
    expect(formatFcfa(45000)).not.toMatch(/[\u00a0\u202f]/);
  });
});

describe('formatSizes', () => {
  it('lists sizes in stock and notes sold-out ones', () => {
    expect(formatSizes(product('robe-longue-dentelle'))).toBe('M, L');
    expect(formatSizes(product('robe-cocktail-bordeaux'))).toBe('S, M, L (XL épuisé)');
    expect(formatSizes(product('pantalon-tailleur-noir'))).toBe('38, 40, 42 (44 épuisé)');
  });

  it('says one size and fully sold-out plainly', () => {
    const bag = product('sac-cabas-wax');
    expect(isOneSize(bag)).toBe(true);
    expect(formatSizes(bag)).toBe('unique');
    expect(formatSizes({ ...bag, sizes: [{ size: 'Unique', stock: 0 }] })).toBe('unique (épuisé)');
    const soldOut: Product = { ...product('robe-longue-dentelle'), sizes: [{ size: 'M', stock: 0 }, { size: 'L', stock: 0 }] };
    expect(formatSizes(soldOut)).toBe('épuisé dans toutes les tailles (M, L)');
    expect(formatSizes({ ...soldOut, sizes: [{ size: 'S', stock: 1 }, { size: 'M', stock: 0 }, { size: 'L', stock: 0 }] })).toBe(
      'S (M, L épuisés)',
    );
  });
});

describe('formatProductLine', () => {
  it('writes a product as in the scenario', () => {
    expect(formatProductLine(product('robe-longue-dentelle'))).toBe(
      '▸ Robe Longue Dentelle - 75 000 FCFA\n   Taille : M, L\n   💬 Très élégante et raffinée',
    );
    expect(formatProductLine(product('robe-cocktail-bordeaux'))).toBe(
      '▸ Robe Cocktail Bordeaux - 45 000 FCFA\n   Taille : S, M, L (XL épuisé)\n   💬 Idéale pour cérémonies',
    );
  });

  it('leaves out an empty description', () => {
    expect(formatProductLine({ ...product('sac-cabas-wax'), description: ' ' })).toBe(
      '▸ Sac Cabas en Pagne Wax - 12 000 FCFA\n   Taille : unique',
    );
  });
});

describe('formatZone', () => {
  it('gives the fee and the delay', () => {
    expect(formatZone(zone('Marcory'))).toBe('Marcory : 2 000 FCFA (24–48 h)');
    expect(formatZone(zone('Port-Bouët'))).toBe('Port-Bouët : 2 500 FCFA (48 h)');
  });
});
