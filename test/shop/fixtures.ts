/**
 * The demo catalogue of `supabase/seed.sql` as the store returns it (sorted by category then
 * name, sizes smallest first), with readable ids. `catalogue.test.ts` checks it still matches
 * the seed.
 */
import type { CatalogueSnapshot } from '../../src/shop/catalogue.js';
import type { DeliveryZone, Product } from '../../src/store/types.js';

type Row = [slug: string, name: string, description: string, category: string, price: number, sizes: Array<[string, number]>];

const rows: Row[] = [
  ['foulard-imprime-wax', 'Foulard Imprimé Wax', 'Foulard de tête ou de cou, 90 × 90 cm', 'accessoires', 5000, [['Unique', 10]]],
  ['sac-raphia-tresse', 'Sac à Main Raphia Tressé', 'Tressé à la main, fermoir doré', 'accessoires', 15000, [['Unique', 1]]],
  ['sac-cabas-wax', 'Sac Cabas en Pagne Wax', 'Grand cabas doublé, anses en cuir', 'accessoires', 12000, [['Unique', 7]]],
  ['chemise-lin-blanche', 'Chemise en Lin Blanche', "Lin léger, parfaite pour la chaleur d'Abidjan", 'chemises', 18000, [['S', 2], ['M', 3], ['L', 0]]],
  ['chemise-wax-homme', 'Chemise Wax Manches Courtes', 'Chemise homme en pagne wax, coupe ajustée', 'chemises', 15000, [['M', 5], ['L', 8], ['XL', 6], ['XXL', 3]]],
  ['ensemble-bazin-brode', 'Ensemble Bazin Brodé', 'Grand boubou en bazin riche brodé main, pour les grandes occasions', 'ensembles', 90000, [['L', 1], ['XL', 2], ['XXL', 1]]],
  ['ensemble-wax-haut-jupe', 'Ensemble Pagne Wax Haut + Jupe', 'Haut péplum et jupe crayon assortis, wax hollandais', 'ensembles', 35000, [['S', 2], ['M', 4], ['L', 0]]],
  ['jupe-crayon-kita', 'Jupe Crayon Kita', 'Jupe crayon en pagne kita tissé à la main', 'jupes', 28000, [['M', 1]]],
  ['jupe-plissee-moutarde', 'Jupe Plissée Moutarde', 'Jupe midi plissée, couleur moutarde', 'jupes', 17000, [['S', 3], ['M', 5], ['L', 2]]],
  ['pantalon-palazzo-wax', 'Pantalon Palazzo Wax', 'Pantalon large et fluide, taille élastiquée', 'pantalons', 20000, [['S', 5], ['M', 7], ['L', 4]]],
  ['pantalon-tailleur-noir', 'Pantalon Tailleur Noir', 'Coupe droite, tissu infroissable', 'pantalons', 22000, [['38', 3], ['40', 4], ['42', 2], ['44', 0]]],
  ['robe-cocktail-bordeaux', 'Robe Cocktail Bordeaux', 'Idéale pour cérémonies', 'robes', 45000, [['S', 3], ['M', 5], ['L', 2], ['XL', 0]]],
  ['robe-longue-dentelle', 'Robe Longue Dentelle', 'Très élégante et raffinée', 'robes', 75000, [['M', 2], ['L', 1]]],
  ['robe-wax-evasee', 'Robe Wax Évasée', 'Pagne wax 100 % coton, coupe évasée, pour le bureau comme pour les sorties', 'robes', 25000, [['S', 4], ['M', 6], ['L', 3], ['XL', 2]]],
];

/** The 14 demo products. */
export const PRODUCTS: readonly Product[] = rows.map(([slug, name, description, category, priceFcfa, sizes]) => ({
  id: slug,
  slug,
  name,
  description,
  category,
  priceFcfa,
  photoUrl: `https://images.mode-ivoire.ci/${slug}.jpg`,
  sizes: sizes.map(([size, stock]) => ({ size, stock })),
}));

type ZoneRow = [name: string, aliases: string[], fee: number, delay: string];

const zoneRows: ZoneRow[] = [
  ['Abobo', ['Abobo Gare', 'PK 18', 'Anonkoua'], 3000, '48–72 h'],
  ['Adjamé', ['Williamsville', '220 Logements', 'Liberté'], 2000, '24–48 h'],
  ['Bingerville', ['Bingerville Centre'], 3500, '48–72 h'],
  ['Cocody', ['Riviera', 'Angré', 'Deux Plateaux', '2 Plateaux', 'Blockhaus', 'Palmeraie'], 2500, '24–48 h'],
  ['Koumassi', ['Remblais', 'Koumassi Campement'], 2000, '24–48 h'],
  ['Marcory', ['Zone 4', 'Biétry', 'Anoumabo', 'Marcory Résidentiel'], 2000, '24–48 h'],
  ['Plateau', ['Le Plateau'], 1500, '24 h'],
  ['Port-Bouët', ['Vridi', 'Gonzagueville', 'Aéroport'], 2500, '48 h'],
  ['Treichville', ['Treich', 'Arras'], 2000, '24 h'],
  ['Yopougon', ['Yop', 'Niangon', 'Sideci', 'Selmer'], 3000, '48 h'],
];

/** The 10 demo delivery zones. */
export const ZONES: readonly DeliveryZone[] = zoneRows.map(([name, aliases, feeFcfa, delay]) => ({
  id: name,
  name,
  aliases,
  feeFcfa,
  delay,
}));

/** A snapshot of the demo catalogue. */
export const SNAPSHOT: CatalogueSnapshot = { products: PRODUCTS, zones: ZONES, loadedAt: Date.UTC(2024, 11, 6, 18, 30) };

/** The demo product with this slug. */
export function product(slug: string): Product {
  const found = PRODUCTS.find((candidate) => candidate.slug === slug);
  if (!found) throw new Error(`no product ${slug} in the fixture`);
  return found;
}

/** The demo zone with this name. */
export function zone(name: string): DeliveryZone {
  const found = ZONES.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no zone ${name} in the fixture`);
  return found;
}
