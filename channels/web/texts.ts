/** What the web chat's API says back to a customer's page, in French (the page shows `message` as is). */
export const webChatTexts = {
  invalidVisitor: 'Cette conversation n’est pas reconnue. Rechargez la page, s’il vous plaît.',
  invalidMessage: 'Ce message n’a pas pu être lu. Rechargez la page et réessayez.',
  notJson: 'Ce message n’a pas pu être lu : il doit être envoyé en JSON.',
  tooLong: (maxChars: number) =>
    `Votre message est trop long (${maxChars} caractères au maximum). Pouvez-vous le raccourcir un peu ?`,
  tooMany: (waitSeconds: number) =>
    `Beaucoup de messages partent de votre connexion en ce moment 🙂 Ce message n’est pas parti : renvoyez-le dans ${waitText(waitSeconds)}.`,
  tooManyVisitors: (waitSeconds: number) =>
    `Trop de nouvelles conversations depuis votre connexion. Réessayez dans ${waitText(waitSeconds)}, s’il vous plaît.`,
  tooManyPages: 'Trop de pages du chat sont ouvertes depuis votre connexion : fermez-en une, puis rechargez celle-ci.',
  unavailable: 'Le chat redémarre. Réessayez dans un instant, s’il vous plaît.',
  busy: 'Beaucoup de monde en ce moment ! Réessayez dans un instant, s’il vous plaît.',
} as const;

/** `30 secondes`, `1 minute`, `12 minutes`: a wait as a customer reads it. */
function waitText(seconds: number): string {
  if (seconds <= 1) return '1 seconde';
  if (seconds < 60) return `${Math.ceil(seconds)} secondes`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
