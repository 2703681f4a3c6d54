import type { Button } from '../../src/core/channel.js';

/**
 * Choices as numbered lines under the text, for a WhatsApp that has no buttons to offer (a
 * linked device on WhatsApp Web; the Cloud API's own buttons hold three choices at most): the
 * customer answers with the number (or the words), which the shop reads back against the
 * choices it offered. Shared by both WhatsApp channels.
 *
 * @example
 * withNumberedChoices('Je confirme la commande ?', [{ id: 'co:3:confirm', label: '✅ Confirmer' }])
 * // 'Je confirme la commande ?\n\n*1.* ✅ Confirmer\n_Répondez avec le numéro de votre choix._'
 */
export function withNumberedChoices(text: string, buttons: readonly Button[]): string {
  if (buttons.length === 0) return text;
  const lines = buttons.map((button, index) => `*${index + 1}.* ${button.label}`);
  return `${text}\n\n${lines.join('\n')}\n_Répondez avec le numéro de votre choix._`;
}
