import { shorten } from './outgoing.js';

/**
 * What the owner is told about the Cloud API channel, in French. The owner, unlike logs, may
 * see a customer's number: it is how they reach the customer the bot no longer can.
 */
export const ownerNotices = {
  tokenRefused: (detail: string): string =>
    `⚠️ WhatsApp (API Cloud de Meta) refuse le jeton d'accès du bot : les clients ne reçoivent plus de réponse sur WhatsApp (${detail}). ` +
    "Créez un jeton permanent (Meta Business → Paramètres → Utilisateurs système → Générer un jeton, avec la permission whatsapp_business_messaging), " +
    'mettez-le dans WHATSAPP_CLOUD_ACCESS_TOKEN, puis redémarrez le bot.',

  windowClosed: (waId: string, text: string): string =>
    `⚠️ WhatsApp : un message pour le client +${waId} n'est pas parti. Son dernier message date de plus de 24 h, ` +
    "et WhatsApp n'autorise alors qu'un modèle de message approuvé. Recontactez-le vous-même (appel, ou modèle depuis WhatsApp Manager).\n" +
    `Le message : « ${shorten(text, 1000)} »`,
} as const;
