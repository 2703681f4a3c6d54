import { describe, expect, it } from 'vitest';
import { scrubSecrets } from '../../src/infra/logger.js';
import { PHONE, SECRETS } from './support.js';

describe('scrubSecrets, the last line of defence of the logs', () => {
  it.each([
    ['a Telegram bot token', `call to https://api.telegram.org/bot${SECRETS.botToken}/sendMessage failed`],
    ['an OpenAI key', `Incorrect API key provided: ${SECRETS.openaiKey}`],
    ['an OpenRouter key', 'key sk-or-v1-0123456789abcdef0123456789abcdef refused'],
    ['a Supabase JWT key', `apikey=${SECRETS.supabaseKey}`],
    ...Object.entries(PHONE).map(([format, phone]) => [`a phone number (${format})`, `appelez le ${phone} svp`] as [string, string]),
    ['a phone number with dots', 'appelez le 07.08.09.10.11'],
    ['a phone number with dashes', 'appelez le +225-07-08-09-10-11'],
  ])('removes %s', (_name, text) => {
    const scrubbed = scrubSecrets(text);
    expect(scrubbed).toContain('[redacted]');
    expect(scrubbed).not.toMatch(/\d{6,}|sk-|eyJ/);
  });

  it('leaves ordinary text alone (prices, order numbers, times)', () => {
    const text = 'Commande n°1042, total 47 000 FCFA, livraison 24–48 h';
    expect(scrubSecrets(text)).toBe(text);
  });

  // Supabase's newer secret keys (sb_secret_…) match no pattern yet. Expected to fail until the
  // src/logger.ts patch of the resilience report lands; turn `it.fails` into `it` then.
  it("removes Supabase's new-format secret key", () => {
    expect(scrubSecrets('apikey=sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz0')).not.toContain('sb_secret_');
  });
});
