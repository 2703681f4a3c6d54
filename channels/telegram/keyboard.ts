import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Button } from '../../src/core/channel.js';

/** Telegram refuses `callback_data` over 64 bytes (https://core.telegram.org/bots/api#inlinekeyboardbutton). */
const MAX_DATA_BYTES = 64;

/**
 * Buttons as an inline keyboard: short labels (sizes) four to a row, middling ones two, long
 * ones alone, so each stays readable on a phone. Buttons whose id Telegram would refuse are
 * left out rather than failing the whole message. `undefined` when there is none.
 */
export function inlineKeyboard(buttons: readonly Button[]): InlineKeyboardMarkup | undefined {
  const usable = buttons.filter((button) => button.label.trim() !== '' && button.id !== '' && Buffer.byteLength(button.id) <= MAX_DATA_BYTES);
  if (usable.length === 0) return undefined;
  const longest = Math.max(...usable.map((button) => [...button.label].length));
  const perRow = longest <= 6 ? 4 : longest <= 22 ? 2 : 1;
  const rows: { text: string; callback_data: string }[][] = [];
  for (let start = 0; start < usable.length; start += perRow) {
    rows.push(usable.slice(start, start + perRow).map((button) => ({ text: button.label, callback_data: button.id })));
  }
  return { inline_keyboard: rows };
}
