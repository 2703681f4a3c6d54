import { describe, expect, it } from 'vitest';
import { isTypoOf, levenshtein, normalize, phonetic, singular, tokens } from '../../src/shop/text.js';

describe('normalize', () => {
  it.each([
    ['Vous livrez à Port-Bouët ?? 🚚', 'vous livrez a port bouet'],
    ['  ROBE   Évasée!!! ', 'robe evasee'],
    ["qu'est-ce que c'est", 'qu est ce que c est'],
    ['Cœur 45 000 FCFA', 'coeur 45 000 fcfa'],
    ['😍🇨🇮', ''],
  ])('%j → %j', (text, expected) => {
    expect(normalize(text)).toBe(expected);
  });
});

describe('tokens', () => {
  it('drops stop words and single letters and folds plurals', () => {
    expect(tokens('Bonjour, je cherche des Robes pour un mariage')).toEqual(['robe', 'mariage']);
    expect(tokens('Vous avez des pagnes ?')).toEqual(['pagne']);
    expect(tokens("la robe longue dentelle existe en S ?")).toEqual(['robe', 'longue', 'dentelle']);
  });

  it('is empty for politeness alone', () => {
    expect(tokens('Bonjour svp merci !')).toEqual([]);
  });
});

describe('singular', () => {
  it.each([
    ['robes', 'robe'],
    ['pagnes', 'pagne'],
    ['chapeaux', 'chapeau'],
    ['robe', 'robe'],
    ['bus', 'bus'],
    ['dress', 'dress'],
  ])('%s → %s', (word, expected) => {
    expect(singular(word)).toBe(expected);
  });
});

describe('levenshtein', () => {
  it.each([
    ['marcory', 'marcory', 0],
    ['marcori', 'marcory', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['cocktel', 'cocktail', 2],
  ])('%s ↔ %s = %i', (a, b, expected) => {
    expect(levenshtein(a, b)).toBe(expected);
    expect(levenshtein(b, a)).toBe(expected);
  });
});

describe('isTypoOf', () => {
  it('accepts small typos and sound-alikes of words of 5 letters or more', () => {
    expect(isTypoOf('marcori', 'marcory')).toBe(true);
    expect(isTypoOf('koumasi', 'koumassi')).toBe(true);
    expect(isTypoOf('bordo', 'bordeaux')).toBe(true);
    expect(isTypoOf('dantelle', 'dentelle')).toBe(true);
    expect(phonetic('bordeaux')).toBe(phonetic('bordo'));
  });

  it('refuses short words, a different first letter, digits and distant words', () => {
    expect(isTypoOf('yop', 'yoo')).toBe(false);
    expect(isTypoOf('gateau', 'plateau')).toBe(false);
    expect(isTypoOf('treize', 'treich')).toBe(false);
    expect(isTypoOf('zone5', 'zone4')).toBe(false);
    expect(isTypoOf('abobo', 'about')).toBe(false);
  });
});
