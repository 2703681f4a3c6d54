/** What the web chat's API says back to a customer's page, in French (the page shows `message` as is). */
export const webChatTexts = {
  invalidVisitor: 'Cette conversation n’est pas reconnue. Rechargez la page, s’il vous plaît.',
  invalidMessage: 'Ce message n’a pas pu être lu. Rechargez la page et réessayez.',
  notJson: 'Ce message n’a pas pu être lu : il doit être envoyé en JSON.',
  tooLong: (maxChars: number) =>
    `Votre message est trop long (${maxChars} caractères au maximum). Pouvez-vous le raccourcir un peu ?`,
  tooMany: 'Vous écrivez plus vite que nous ! 🙂 Patientez un petit instant avant d’envoyer un autre message.',
  unavailable: 'Le chat redémarre. Réessayez dans un instant, s’il vous plaît.',
  busy: 'Beaucoup de monde en ce moment ! Réessayez dans un instant, s’il vous plaît.',
} as const;
