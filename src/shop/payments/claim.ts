import { normalize } from '../text.js';

// "j'ai payé", "c'est réglé", "paiement effectué", "j'ai envoyé l'argent", "je viens de payer"…
const CLAIM = [
  /\b(j ai|j avais|on a|nous avons|je viens de|j ai deja|c est|c est deja|deja) (bien |deja |tout )?(paye|payer|regle|regler|envoye l argent|envoye les sous|fait le paiement|effectue le paiement|fait le transfert|fait le depot)\b/,
  /\bpaiement (effectue|fait|envoye|valide|passe|ok)\b/,
  /\b(paye|regle) (par|avec|sur) (wave|orange|om|mtn|momo|moov|flooz|mobile money|carte)\b/,
  /\bvous avez (recu|eu) (mon|le) (paiement|argent|transfert)\b/,
];

/**
 * Whether the customer says they paid (or asks whether the payment arrived): the bot then
 * asks the provider instead of answering from the catalogue.
 *
 * @example isPaymentClaim("C'est bon j'ai payé par Wave") // true
 */
export function isPaymentClaim(text: string): boolean {
  const n = normalize(text);
  return CLAIM.some((pattern) => pattern.test(n));
}
