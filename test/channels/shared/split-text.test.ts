import { describe, expect, it } from 'vitest';
import { splitText } from '../../../channels/shared/split-text.js';

/**
 * Checks that `pieces` are `text` in order with only whitespace dropped, and only where one
 * piece ends and the next begins. Returns what was between consecutive pieces (`''` for a hard cut).
 */
function expectLossless(text: string, pieces: readonly string[]): string[] {
  const gaps: string[] = [];
  let cursor = text.length - text.trimStart().length;
  pieces.forEach((piece, index) => {
    const gapStart = cursor;
    while (index > 0 && /\s/.test(text[cursor] ?? '')) cursor += 1;
    if (index > 0) gaps.push(text.slice(gapStart, cursor));
    expect(text.startsWith(piece, cursor), `piece ${index} is not where it should be in the text`).toBe(true);
    cursor += piece.length;
  });
  expect(text.slice(cursor).trim()).toBe('');
  return gaps;
}

function expectWithinLimit(pieces: readonly string[], limit: number): void {
  for (const piece of pieces) {
    expect(piece.length).toBeLessThanOrEqual(limit);
    expect(piece).not.toBe('');
    expect(piece).toBe(piece.trim());
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A small deterministic generator, so a failure can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('splitText', () => {
  it('returns nothing for an empty or blank text', () => {
    expect(splitText('', 4096)).toEqual([]);
    expect(splitText(' \n\n \t', 4096)).toEqual([]);
  });

  it('returns a text within the limit as one piece', () => {
    expect(splitText('Akwaba ! La robe est à 45 000 FCFA.', 4096)).toEqual(['Akwaba ! La robe est à 45 000 FCFA.']);
    expect(splitText('x'.repeat(50), 50)).toEqual(['x'.repeat(50)]);
  });

  it('cuts at a paragraph break rather than at a later line break or space', () => {
    const first = 'Voici nos robes de mariage en pagne wax, toutes cousues à Abidjan.'; // 66 characters, past half the limit
    const second = 'Livraison à Cocody, Yopougon et Marcory en 24 h.\nPaiement à la livraison.';
    const text = `${first}\n\n${second}`;

    expect(splitText(text, 100)).toEqual([first, second]);
  });

  it('cuts at a line break rather than at a later space', () => {
    const first = 'Robe Adjoua, taille M, bleu nuit, pagne wax hollandais.'; // 55 characters, past half the limit
    const second = 'Prix : 45 000 FCFA, livraison comprise à Abidjan et environs.';
    const text = `${first}\n${second}`;

    expect(splitText(text, 80)).toEqual([first, second]);
  });

  it('cuts at the last space when there is no line break', () => {
    const words = 'une robe pour un mariage samedi à Bingerville avec ma famille';
    const pieces = splitText(words, 30);

    expectWithinLimit(pieces, 30);
    expect(expectLossless(words, pieces).every((gap) => gap === ' ')).toBe(true);
    expect(pieces.join(' ')).toBe(words);
  });

  it('hard-cuts a word longer than the limit, losing nothing', () => {
    const link = `https://example.com/catalogue/${'a'.repeat(250)}`;
    const pieces = splitText(link, 100);

    expect(pieces).toEqual([link.slice(0, 100), link.slice(100, 200), link.slice(200)]);
  });

  it('does not cut an emoji in half when it must hard-cut', () => {
    const cheers = '🎉'.repeat(60); // 120 UTF-16 code units, no space to cut at
    const pieces = splitText(cheers, 51);

    expectWithinLimit(pieces, 51);
    expect(pieces.join('')).toBe(cheers);
    for (const piece of pieces) expect(piece).not.toMatch(LONE_SURROGATE);
  });

  it('keeps every piece within the limit and loses nothing on varied texts', () => {
    const random = seededRandom(2024);
    const vocabulary = ['robe', 'pagne', 'wax', 'à', 'Abidjan', 'livraison', '45 000', 'FCFA', 'très', 'jolie', '😍', 'https://example.com/p/123', 'x'.repeat(140)];
    const separators = [' ', ' ', ' ', ' ', '\n', '\n\n', '  '];

    for (let round = 0; round < 300; round += 1) {
      const limit = 20 + Math.floor(random() * 200);
      let text = '';
      const words = Math.floor(random() * 120);
      for (let i = 0; i < words; i += 1) {
        text += vocabulary[Math.floor(random() * vocabulary.length)];
        text += separators[Math.floor(random() * separators.length)];
      }

      const pieces = splitText(text, limit);

      expectWithinLimit(pieces, limit);
      expectLossless(text, pieces);
      if (text.trim() !== '') expect(pieces.length).toBeGreaterThan(0);
    }
  });

  it('splits a long Telegram reply into pieces Telegram accepts', () => {
    const paragraph = 'Nos pagnes wax arrivent de Grand-Bassam chaque semaine, en six couleurs. ';
    const text = Array.from({ length: 30 }, () => paragraph.repeat(5).trim()).join('\n\n');

    const pieces = splitText(text, 4096);

    expect(pieces.length).toBeGreaterThan(1);
    expectWithinLimit(pieces, 4096);
    expect(expectLossless(text, pieces).every((gap) => gap === '\n\n')).toBe(true);
  });
});
