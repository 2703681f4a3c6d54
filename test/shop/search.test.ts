import { describe, expect, it } from 'vitest';
import { findProduct, findZone, findZoneMentions, findZones, searchCatalogue, searchProducts } from '../../src/shop/search.js';
import { PRODUCTS, ZONES } from './fixtures.js';

const slugs = (text: string, query: Parameters<typeof searchProducts>[1] = {}) =>
  searchProducts(PRODUCTS, { text, ...query }).map((product) => product.slug);

describe('searchProducts', () => {
  it('finds the dresses for a wedding, best match first, as in the scenario', () => {
    expect(slugs('je cherche une robe pour un mariage')).toEqual(['robe-cocktail-bordeaux', 'robe-longue-dentelle']);
    expect(slugs('Des robes élégantes pour mariage')).toEqual(['robe-cocktail-bordeaux', 'robe-longue-dentelle']);
  });

  it('reads a category in any case, accent or number, cheapest first', () => {
    expect(slugs('ROBES')).toEqual(['robe-wax-evasee', 'robe-cocktail-bordeaux', 'robe-longue-dentelle']);
    expect(slugs('les sacs')).toEqual(['sac-cabas-wax', 'sac-raphia-tresse']);
    expect(slugs('une chemise')).toEqual(['chemise-wax-homme', 'chemise-lin-blanche']);
  });

  it('matches descriptions, synonyms and small typos', () => {
    expect(slugs('dentele')).toEqual(['robe-longue-dentelle']);
    expect(slugs('un boubou')).toEqual(['ensemble-bazin-brode']);
    expect(slugs('pour la chaleur')).toEqual(['chemise-lin-blanche']);
    expect(slugs('une tenue pour un baptême')).toEqual(['robe-cocktail-bordeaux', 'robe-longue-dentelle', 'ensemble-bazin-brode']);
  });

  it('"tenue" or "habit" alone means anything', () => {
    expect(slugs('des habits', { limit: 100 })).toHaveLength(PRODUCTS.length);
  });

  it('filters by size in stock, budget and category', () => {
    expect(slugs('robe', { size: 'xl' })).toEqual(['robe-wax-evasee']); // the bordeaux XL is sold out
    expect(slugs('robe', { maxPriceFcfa: 45000 })).toEqual(['robe-wax-evasee', 'robe-cocktail-bordeaux']);
    expect(searchProducts(PRODUCTS, { category: 'jupe' }).map((p) => p.slug)).toEqual(['jupe-plissee-moutarde', 'jupe-crayon-kita']);
    expect(searchProducts(PRODUCTS, { size: '40' }).map((p) => p.slug)).toEqual(['pantalon-tailleur-noir']);
  });

  it('limits the results and reports the total', () => {
    const result = searchCatalogue(PRODUCTS, { text: 'wax', limit: 2 });
    expect(result.products).toHaveLength(2);
    expect(result.total).toBe(6);
    expect(result.products[0]?.slug).toBe('foulard-imprime-wax');
  });

  it('finds nothing for words it does not know, and says which words it could not place', () => {
    expect(slugs('une voiture')).toEqual([]);
    const result = searchCatalogue(PRODUCTS, { text: 'robe rouge' });
    expect(result.matchedTerms).toEqual(['robe']);
    expect(result.unmatchedTerms).toEqual(['rouge']);
    expect(result.strong).toBe(true);
  });
});

describe('findProduct', () => {
  it.each([
    ['robe-cocktail-bordeaux', 'robe-cocktail-bordeaux'],
    ['Robe Longue Dentelle', 'robe-longue-dentelle'],
    ['combien coûte la robe cocktail bordeaux ?', 'robe-cocktail-bordeaux'],
    ['ROBE LONGUE DENTELLE en S', 'robe-longue-dentelle'],
    ['la bordeaux', 'robe-cocktail-bordeaux'],
    ['la robe bordo', 'robe-cocktail-bordeaux'],
    ['robe cocktel', 'robe-cocktail-bordeaux'],
    ['la robe wax', 'robe-wax-evasee'],
    ['le foulard', 'foulard-imprime-wax'],
    ['le sac raphia', 'sac-raphia-tresse'],
    ['la chemise blanche', 'chemise-lin-blanche'],
    ['pantalon noir', 'pantalon-tailleur-noir'],
    ['les robes longues', 'robe-longue-dentelle'],
  ])('%j → %s', (query, slug) => {
    expect(findProduct(PRODUCTS, query)?.slug).toBe(slug);
  });

  it.each(['la robe', 'le sac', 'un truc en wax', 'vous êtes en haut de la rue ?', 'bonjour', '', 'la robe cocktail en dentelle'])(
    'is unsure about %j',
    (query) => {
      expect(findProduct(PRODUCTS, query)).toBeUndefined();
    },
  );
});

describe('findZone', () => {
  it.each([
    ['marcory', 'Marcory'],
    ['Marcori', 'Marcory'],
    ['MARCORY', 'Marcory'],
    ['zone 4', 'Marcory'],
    ['Zone4', 'Marcory'],
    ['port bouet', 'Port-Bouët'],
    ['Port-Bouët', 'Port-Bouët'],
    ['portbouet', 'Port-Bouët'],
    ['Yop', 'Yopougon'],
    ['yopougn', 'Yopougon'],
    ['vous livrez à Marcory ?', 'Marcory'],
    ['je suis à Angré', 'Cocody'],
    ['Deux Plateaux', 'Cocody'],
    ['2 plateaux', 'Cocody'],
    ['le Plateau', 'Plateau'],
    ['treichvile', 'Treichville'],
    ['Koumasi', 'Koumassi'],
    ['adjame', 'Adjamé'],
  ])('%j → %s', (query, name) => {
    expect(findZone(ZONES, query)?.name).toBe(name);
  });

  it.each(['Bouaké', 'zone 3', 'un gâteau au chocolat', 'treize robes', 'bonjour', '', 'il fait beau à Abidjan'])(
    'finds nothing in %j',
    (query) => {
      expect(findZone(ZONES, query)).toBeUndefined();
    },
  );

  it('lists every zone of a sentence in order, with the name the customer used', () => {
    expect(findZones(ZONES, 'Cocody ou Yopougon, et Vridi ?').map((zone) => zone.name)).toEqual(['Cocody', 'Yopougon', 'Port-Bouët']);
    expect(findZoneMentions(ZONES, 'livraison à Riviera')).toEqual([{ zone: expect.objectContaining({ name: 'Cocody' }), label: 'Riviera' }]);
  });
});
