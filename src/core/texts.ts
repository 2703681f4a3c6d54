import type { MessageKind } from './message.js';

/** Every sentence the core itself says to a customer; shops may override any of them. */
export interface ReplyTexts {
  /** Sent when the real answer is late or failing. */
  readonly fallback: string;
  /** Sent when, after the fallback, the real answer could not come at all. */
  readonly unavailable: string;
  /** Sent for a message the bot cannot read (photo, voice note…), by kind. */
  unsupported(kind: MessageKind): string;
}

const whatWasSent: Partial<Record<MessageKind, string>> = {
  photo: 'votre photo',
  video: 'votre vidéo',
  voice: 'votre message vocal',
  audio: 'votre audio',
  sticker: 'votre autocollant',
  animation: 'votre GIF',
  location: 'votre position',
  contact: 'votre contact',
  document: 'votre document',
  poll: 'votre sondage',
};

/**
 * The default French texts, with the scenario's fallback.
 *
 * @param fallback the configured fallback sentence
 */
export function frenchTexts(fallback: string): ReplyTexts {
  return {
    fallback,
    unavailable:
      "Toutes nos excuses, je n'arrive pas à vous répondre pour le moment 🙏 Pouvez-vous réécrire votre question dans quelques minutes ?",
    unsupported(kind) {
      const sent = whatWasSent[kind];
      const received = sent ? `Merci pour ${sent} ! ` : '';
      return `${received}Je ne sais lire que les messages écrits pour le moment. Écrivez-moi votre question et je vous réponds tout de suite 🙂`;
    },
  };
}
