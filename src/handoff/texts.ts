/** What the handoff says, to the customer and to the owner (French). */

/** The one line a customer gets when a person of the shop is called in. */
export const CUSTOMER_HANDOFF_LINE = 'Je préviens une personne de la boutique, elle vous répond ici très vite 🙏';

/** Why a conversation was handed to the owner. */
export type HandoffReason = 'request' | 'fallbacks' | 'owner';

/** A line of a conversation, as shown to the owner. */
export interface ContextLine {
  readonly from: 'customer' | 'bot' | 'owner';
  readonly text: string;
  /** Epoch ms. */
  readonly at: number;
  /** The reply kind for the bot's lines (`fallback` is shown apart). */
  readonly kind?: string;
}

/** `Telegram`, `WhatsApp`, `Web`: how a channel's name is shown. */
export function channelLabel(channel: string): string {
  const known: Record<string, string> = { telegram: 'Telegram', whatsapp: 'WhatsApp', web: 'Web' };
  return known[channel] ?? channel;
}

const MAX_LINE_CHARS = 300;

function quote(line: ContextLine): string {
  const mark = line.from === 'customer' ? '👤' : line.from === 'owner' ? '🧑‍💼' : line.kind === 'fallback' ? '⚠️' : '🤖';
  const text = line.text.length > MAX_LINE_CHARS ? `${line.text.slice(0, MAX_LINE_CHARS)}…` : line.text;
  return `${mark} ${text.replace(/\s+/g, ' ')}`;
}

/** The owner's notification when a conversation is handed over. */
export function ownerHandoffNotice(input: {
  readonly reason: HandoffReason;
  readonly channel: string;
  readonly customerName: string;
  readonly recent: readonly ContextLine[];
  readonly fallbackCount?: number;
  readonly fallbackWindowMinutes?: number;
  readonly dashboardPath: string;
}): string {
  const where = channelLabel(input.channel);
  const head =
    input.reason === 'request'
      ? `🙋 ${input.customerName} demande à parler à une personne (${where}).`
      : `🙋 ${input.customerName} a reçu ${input.fallbackCount ?? 2} réponses de secours en ${input.fallbackWindowMinutes ?? 10} minutes (${where}) : le bot lui a dit qu’une personne arrive.`;
  const lines = [head];
  if (input.recent.length > 0) lines.push('', 'Derniers messages :', ...input.recent.map(quote));
  lines.push('', `Le bot se tait dans cette conversation. Répondez depuis le tableau de bord (${input.dashboardPath}), puis rendez la main au bot.`);
  return lines.join('\n');
}

/** The owner's notification for a new customer message in a conversation they hold. */
export function ownerMessageNotice(input: { readonly channel: string; readonly customerName: string; readonly text: string; readonly dashboardPath: string }): string {
  return `💬 ${input.customerName} (${channelLabel(input.channel)}) vous écrit :\n${quote({ from: 'customer', text: input.text || '(pièce jointe)', at: 0 })}\n\nRépondez depuis le tableau de bord (${input.dashboardPath}).`;
}
