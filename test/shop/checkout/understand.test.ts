import { describe, expect, it } from 'vitest';
import {
  asksOrderStatus,
  isQuestion,
  readChoiceNumber,
  readIntent,
  readName,
  readPhone,
  readQuantity,
  readSize,
  wantsToBuy,
} from '../../../src/shop/checkout/understand.js';
import { SNAPSHOT } from '../fixtures.js';

const product = (slug: string) => SNAPSHOT.products.find((candidate) => candidate.slug === slug)!;
const bordeaux = product('robe-cocktail-bordeaux');

describe('readIntent', () => {
  it.each([
    ['oui', 'confirm'],
    ['Oui merci', 'confirm'],
    ['Je confirme', 'confirm'],
    ['✅ Confirmer', 'confirm'],
    ["c'est bon", 'confirm'],
    ['ok', 'confirm'],
    ['non', 'no'],
    ['Annuler', 'cancel'],
    ['❌ Annuler', 'cancel'],
    ['laissez tomber, je ne la veux plus', 'cancel'],
    ['oui mais changer le numéro', 'modify'],
    ['✏️ Modifier', 'modify'],
    ['plutôt Cocody', 'modify'],
    ["c'est tout", 'done'],
    ['ajoutez aussi un foulard', 'add'],
    ['où en est ma commande ?', 'status'],
    ['Vous livrez à Marcory ?', undefined],
  ])('%j → %s', (text, intent) => {
    expect(readIntent(text)).toBe(intent);
  });
});

describe('wantsToBuy, asksOrderStatus, isQuestion', () => {
  it.each(['La bordeaux en M me plaît !', 'Je la prends', 'je veux aussi la jupe crayon', 'je voudrais commander', 'Je prends la robe en L'])(
    '%j is a wish to buy',
    (text) => expect(wantsToBuy(text)).toBe(true),
  );
  it.each(['je cherche une robe pour un mariage', 'vous avez la bordeaux en M ?', 'combien la robe ?'])('%j is not', (text) => {
    expect(wantsToBuy(text)).toBe(false);
  });
  it.each(['Où en est ma commande ?', 'ma commande est arrivée ?', 'quand est-ce que je vais recevoir ma commande', 'toujours pas reçu'])(
    '%j asks about an order',
    (text) => expect(asksOrderStatus(text)).toBe(true),
  );
  it('does not take a question about delivery times for one about an order', () => {
    expect(asksOrderStatus('vous livrez quand à Marcory ?')).toBe(false);
  });
  it('tells a question from a choice', () => {
    expect(isQuestion('vous avez la bordeaux en M ?')).toBe(true);
    expect(isQuestion('est ce que la M est dispo')).toBe(true);
    expect(isQuestion('la bordeaux en M')).toBe(false);
  });
});

describe('readSize', () => {
  it.each([
    ['M', 'M'],
    ['en m', 'M'],
    ['taille L svp', 'L'],
    ['La bordeaux en M me plaît !', 'M'],
    ['je la veux en s', 'S'],
  ])('%j → %s', (text, size) => {
    expect(readSize(text, bordeaux).size).toBe(size);
  });
  it('names a size the product does not have, without taking it', () => {
    expect(readSize('en XXL', bordeaux)).toEqual({ asked: 'XXL' });
  });
  it("does not read a size in l'ensemble or m'appeler", () => {
    expect(readSize("l'ensemble me plaît", bordeaux)).toEqual({});
    expect(readSize("vous pouvez m'appeler", bordeaux)).toEqual({});
  });
  it('reads numbered sizes, and takes the only size of a one-size article', () => {
    expect(readSize('du 40', product('pantalon-tailleur-noir')).size).toBe('40');
    expect(readSize('je le prends', product('sac-cabas-wax')).size).toBe('Unique');
  });
});

describe('readQuantity and readChoiceNumber', () => {
  it.each([
    ['2 robes bordeaux en M', 2],
    ['deux pièces', 2],
    ['x3', 3],
    ['la robe en M', undefined],
    ['07 07 12 34 56', undefined],
  ])('quantity of %j → %s', (text, quantity) => {
    expect(readQuantity(text)).toBe(quantity);
  });
  it.each([
    ['2', 2],
    ['le 2', 2],
    ['n°3', 3],
    ['la deuxième', 2],
    ['la dernière', -1],
    ['2 robes', undefined],
    ['0707123456', undefined],
  ])('choice %j → %s', (text, choice) => {
    expect(readChoiceNumber(text)).toBe(choice);
  });
});

describe('readPhone', () => {
  it.each(['07 07 12 34 56', '0707123456', '+225 07 07 12 34 56', '00225 07.07.12.34.56', '225-07-07-12-34-56'])('%j → +2250707123456', (text) => {
    expect(readPhone(`mon numéro : ${text}, merci`, 'CI')).toEqual({ valid: '+2250707123456', raw: expect.any(String) });
  });
  it('says what was typed when it is not a valid number', () => {
    expect(readPhone('07 07 12 34', 'CI')).toEqual({ invalid: '07 07 12 34' });
    expect(readPhone('mon numéro est le 12345', 'CI')).toEqual({ invalid: '12345' });
    expect(readPhone('12345', 'CI', { expected: true })).toEqual({ invalid: '12345' });
  });
  it('does not mistake an amount or a size for a number', () => {
    expect(readPhone('45 000 FCFA en taille 40', 'CI')).toEqual({});
  });
});

describe('readName', () => {
  it.each([
    ['Awa Koné, 07 07 12 34 56, Marcory', { exclude: ['07 07 12 34 56', 'Marcory'] }, 'Awa Koné'],
    ["Je m'appelle Awa Koné et mon numéro est le 0707123456", {}, 'Awa Koné'],
    ['awa koné', { alone: true }, 'Awa Koné'],
    ['Awa', { alone: true }, 'Awa'],
    ['Aya Kouassi', { alone: true }, 'Aya Kouassi'],
    ['Awa Koné 0707123456 à Marcori', { exclude: ['0707123456'], isPlace: (word: string) => word === 'Marcori' }, 'Awa Koné'],
  ])('%j → %s', (text, options, name) => {
    expect(readName(text, options)).toBe(name);
  });
  it.each(['oui', 'ok merci', 'avec plaisir', 'pourquoi ?', '0707123456', "c'est bon"])('%j is not a name', (text) => {
    expect(readName(text, { alone: true })).toBeUndefined();
  });
});
