/**
 * Tells a customer who asks for a person ("je veux parler à quelqu'un", "un humain",
 * "appelez-moi", "un conseiller"…) from one who only asks for advice ("pouvez-vous me
 * conseiller une robe ?") or mentions a person in passing ("une robe pour une personne
 * de taille M").
 */

const PATTERNS: readonly RegExp[] = [
  // parler / discuter / échanger à ou avec quelqu'un, une personne, un humain, un conseiller, le gérant…
  /\b(parler|discuter|echanger|communiquer)\s+(a|avec)\s+(quelqu ?un|(une?|un vrai|une vraie|la|le|votre|vos|des)\s+(vrai(e)?\s+)?(personne|humain|humaine|etre humain|conseill\w*|agent|vendeu\w*|responsable|gerant\w*|patron\w*|proprietaire|employe\w*|operat\w*|service client))/,
  // "un humain", "une vraie personne", "une personne réelle", "un être humain"
  /\b(un|une|des)\s+(humain|humaine|humains|vraie?\s+personne|personne\s+(reelle|physique)|etre\s+humain)\b/,
  // "appelez-moi", "rappelez moi", "vous pouvez m'appeler", "appelle-moi"
  /\b(appel+e[sz]?|rappel+e[sz]?)[\s-]+(moi|nous)\b/,
  /\bm ?(appeler|rappeler)\b/,
  // the noun "un conseiller", "une conseillère", not the verb "me conseiller"
  /\b(un|une|le|la|votre|vos|des|au|a un|a une)\s+conseill(er|ere|ers|eres)\b/,
  /^conseill(er|ere)\b/,
  /\bservice\s+(client|clientele)\b/,
  // "je ne veux pas parler à un robot", "marre du bot"
  /\b(pas|plus|marre)\b.*\b(robot|bot|machine)\b/,
  /\b(talk|speak)\s+to\s+(a|an|someone|somebody)\b.*|\b(real|human)\s+(person|agent|being)\b/,
];

/** Folds case, accents and apostrophes so the patterns stay simple. */
export function foldForMatching(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’'`´]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when the customer asks to be put in touch with a person of the shop. */
export function asksForPerson(text: string): boolean {
  const folded = foldForMatching(text);
  if (folded === '') return false;
  return PATTERNS.some((pattern) => pattern.test(folded));
}
