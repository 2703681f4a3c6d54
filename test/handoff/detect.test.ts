import { describe, expect, it } from 'vitest';
import { asksForPerson } from '../../src/handoff/detect.js';

describe('asksForPerson', () => {
  it.each([
    'je veux parler à quelqu’un',
    "Je veux parler a quelqu'un svp",
    'Est-ce que je peux parler à une personne ?',
    'un humain svp',
    'Je veux un HUMAIN',
    'passez-moi une vraie personne',
    'appelez-moi',
    'Rappelez moi au 07 07 07 07 07',
    'vous pouvez m’appeler ?',
    'appelle-moi stp',
    'je voudrais un conseiller',
    'Conseiller',
    'mettez-moi en contact avec une conseillère',
    'parler avec le gérant',
    'le service client svp',
    'je ne veux pas parler à un robot',
    'I want to talk to a human',
  ])('hears a request for a person: %s', (text) => {
    expect(asksForPerson(text)).toBe(true);
  });

  it.each([
    'pouvez-vous me conseiller une robe pour un mariage ?',
    'Vous me conseillez quelle taille ?',
    'une robe pour une personne de taille M',
    'je m’appelle Awa',
    'comment vous appelez-vous ?',
    'Bonjour, je cherche une robe',
    'vous livrez à Marcory ?',
    'des bottes noires',
    '',
  ])('does not mistake an ordinary message: %s', (text) => {
    expect(asksForPerson(text)).toBe(false);
  });
});
