-- Demo catalogue of Mode Ivoire (Abidjan). Safe to run again: existing rows are kept as they are.

INSERT INTO public.products (slug, name, description, category, price_fcfa, photo_url) VALUES
  ('robe-cocktail-bordeaux', 'Robe Cocktail Bordeaux', 'Idéale pour cérémonies', 'robes', 45000,
   'https://images.mode-ivoire.ci/robe-cocktail-bordeaux.jpg'),
  ('robe-longue-dentelle', 'Robe Longue Dentelle', 'Très élégante et raffinée', 'robes', 75000,
   'https://images.mode-ivoire.ci/robe-longue-dentelle.jpg'),
  ('robe-wax-evasee', 'Robe Wax Évasée', 'Pagne wax 100 % coton, coupe évasée, pour le bureau comme pour les sorties', 'robes', 25000,
   'https://images.mode-ivoire.ci/robe-wax-evasee.jpg'),
  ('ensemble-wax-haut-jupe', 'Ensemble Pagne Wax Haut + Jupe', 'Haut péplum et jupe crayon assortis, wax hollandais', 'ensembles', 35000,
   'https://images.mode-ivoire.ci/ensemble-wax-haut-jupe.jpg'),
  ('ensemble-bazin-brode', 'Ensemble Bazin Brodé', 'Grand boubou en bazin riche brodé main, pour les grandes occasions', 'ensembles', 90000,
   'https://images.mode-ivoire.ci/ensemble-bazin-brode.jpg'),
  ('chemise-wax-homme', 'Chemise Wax Manches Courtes', 'Chemise homme en pagne wax, coupe ajustée', 'chemises', 15000,
   'https://images.mode-ivoire.ci/chemise-wax-homme.jpg'),
  ('chemise-lin-blanche', 'Chemise en Lin Blanche', 'Lin léger, parfaite pour la chaleur d''Abidjan', 'chemises', 18000,
   'https://images.mode-ivoire.ci/chemise-lin-blanche.jpg'),
  ('pantalon-palazzo-wax', 'Pantalon Palazzo Wax', 'Pantalon large et fluide, taille élastiquée', 'pantalons', 20000,
   'https://images.mode-ivoire.ci/pantalon-palazzo-wax.jpg'),
  ('pantalon-tailleur-noir', 'Pantalon Tailleur Noir', 'Coupe droite, tissu infroissable', 'pantalons', 22000,
   'https://images.mode-ivoire.ci/pantalon-tailleur-noir.jpg'),
  ('jupe-crayon-kita', 'Jupe Crayon Kita', 'Jupe crayon en pagne kita tissé à la main', 'jupes', 28000,
   'https://images.mode-ivoire.ci/jupe-crayon-kita.jpg'),
  ('jupe-plissee-moutarde', 'Jupe Plissée Moutarde', 'Jupe midi plissée, couleur moutarde', 'jupes', 17000,
   'https://images.mode-ivoire.ci/jupe-plissee-moutarde.jpg'),
  ('sac-cabas-wax', 'Sac Cabas en Pagne Wax', 'Grand cabas doublé, anses en cuir', 'accessoires', 12000,
   'https://images.mode-ivoire.ci/sac-cabas-wax.jpg'),
  ('sac-raphia-tresse', 'Sac à Main Raphia Tressé', 'Tressé à la main, fermoir doré', 'accessoires', 15000,
   'https://images.mode-ivoire.ci/sac-raphia-tresse.jpg'),
  ('foulard-imprime-wax', 'Foulard Imprimé Wax', 'Foulard de tête ou de cou, 90 × 90 cm', 'accessoires', 5000,
   'https://images.mode-ivoire.ci/foulard-imprime-wax.jpg')
ON CONFLICT (slug) DO NOTHING;

INSERT INTO public.product_variants (product_id, size, stock)
SELECT p.id, v.size, v.stock
FROM (VALUES
  ('robe-cocktail-bordeaux', 'S', 3), ('robe-cocktail-bordeaux', 'M', 5),
  ('robe-cocktail-bordeaux', 'L', 2), ('robe-cocktail-bordeaux', 'XL', 0),
  ('robe-longue-dentelle', 'M', 2), ('robe-longue-dentelle', 'L', 1),
  ('robe-wax-evasee', 'S', 4), ('robe-wax-evasee', 'M', 6), ('robe-wax-evasee', 'L', 3), ('robe-wax-evasee', 'XL', 2),
  ('ensemble-wax-haut-jupe', 'S', 2), ('ensemble-wax-haut-jupe', 'M', 4), ('ensemble-wax-haut-jupe', 'L', 0),
  ('ensemble-bazin-brode', 'L', 1), ('ensemble-bazin-brode', 'XL', 2), ('ensemble-bazin-brode', 'XXL', 1),
  ('chemise-wax-homme', 'M', 5), ('chemise-wax-homme', 'L', 8), ('chemise-wax-homme', 'XL', 6), ('chemise-wax-homme', 'XXL', 3),
  ('chemise-lin-blanche', 'S', 2), ('chemise-lin-blanche', 'M', 3), ('chemise-lin-blanche', 'L', 0),
  ('pantalon-palazzo-wax', 'S', 5), ('pantalon-palazzo-wax', 'M', 7), ('pantalon-palazzo-wax', 'L', 4),
  ('pantalon-tailleur-noir', '38', 3), ('pantalon-tailleur-noir', '40', 4), ('pantalon-tailleur-noir', '42', 2), ('pantalon-tailleur-noir', '44', 0),
  ('jupe-crayon-kita', 'M', 1),
  ('jupe-plissee-moutarde', 'S', 3), ('jupe-plissee-moutarde', 'M', 5), ('jupe-plissee-moutarde', 'L', 2),
  ('sac-cabas-wax', 'Unique', 7),
  ('sac-raphia-tresse', 'Unique', 1),
  ('foulard-imprime-wax', 'Unique', 10)
) AS v(slug, size, stock)
JOIN public.products p ON p.slug = v.slug
ON CONFLICT (product_id, size) DO NOTHING;

INSERT INTO public.delivery_zones (name, aliases, fee_fcfa, delay) VALUES
  ('Marcory', ARRAY['Zone 4', 'Biétry', 'Anoumabo', 'Marcory Résidentiel'], 2000, '24–48 h'),
  ('Cocody', ARRAY['Riviera', 'Angré', 'Deux Plateaux', '2 Plateaux', 'Blockhaus', 'Palmeraie'], 2500, '24–48 h'),
  ('Yopougon', ARRAY['Yop', 'Niangon', 'Sideci', 'Selmer'], 3000, '48 h'),
  ('Plateau', ARRAY['Le Plateau'], 1500, '24 h'),
  ('Treichville', ARRAY['Treich', 'Arras'], 2000, '24 h'),
  ('Koumassi', ARRAY['Remblais', 'Koumassi Campement'], 2000, '24–48 h'),
  ('Abobo', ARRAY['Abobo Gare', 'PK 18', 'Anonkoua'], 3000, '48–72 h'),
  ('Adjamé', ARRAY['Williamsville', '220 Logements', 'Liberté'], 2000, '24–48 h'),
  ('Port-Bouët', ARRAY['Vridi', 'Gonzagueville', 'Aéroport'], 2500, '48 h'),
  ('Bingerville', ARRAY['Bingerville Centre'], 3500, '48–72 h')
ON CONFLICT (name) DO NOTHING;
