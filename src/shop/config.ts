import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, DEFAULT_FALLBACK_MESSAGE } from '../infra/config/index.js';

/** Who the bot speaks for: configuration, not code, so another shop can use akwaba as is. */
export interface ShopConfig {
  readonly name: string;
  readonly city: string;
  /** ISO 3166 country code; phone numbers are read as this country's by default. */
  readonly country: string;
  /** The language the bot speaks (BCP 47), `fr` by default. */
  readonly language: string;
  readonly currency: string;
  /** A few words on how to speak, given to the model. */
  readonly tone: string;
  /** Opening hours as the shop says them, e.g. `du lundi au samedi, de 9 h à 19 h`. */
  readonly openingHours: string;
  /** Overrides `FALLBACK_MESSAGE` for this shop. */
  readonly fallbackMessage: string;
}

const schema = z.object({
  name: z.string().trim().min(1).max(80),
  city: z.string().trim().min(1).max(80),
  country: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/)
    .transform((code) => code.toUpperCase()),
  language: z.string().trim().min(2).max(10),
  currency: z.string().trim().min(1).max(10),
  tone: z.string().trim().max(500),
  openingHours: z.string().trim().min(1).max(300),
  fallbackMessage: z.string().trim().min(1).max(500),
});

/** The demo shop of the scenario: Mode Ivoire, a clothing boutique in Abidjan. */
export const DEMO_SHOP: ShopConfig = {
  name: 'Mode Ivoire',
  city: 'Abidjan',
  country: 'CI',
  language: 'fr',
  currency: 'FCFA',
  tone: 'chaleureux, simple et élégant, avec un emoji de temps en temps',
  openingHours: 'du lundi au samedi, de 9 h à 19 h (fermé le dimanche)',
  fallbackMessage: DEFAULT_FALLBACK_MESSAGE,
};

/**
 * The fallback sentence customers get: `FALLBACK_MESSAGE` when it was set to something of its
 * own, the shop file's otherwise (the shop speaks for itself; the variable overrides it).
 */
export function fallbackMessageOf(shop: ShopConfig, configured: string): string {
  return configured !== DEFAULT_FALLBACK_MESSAGE ? configured : shop.fallbackMessage;
}

/**
 * Reads the shop's JSON file (any field left out keeps the demo shop's value) and validates
 * it. A malformed file stops start-up with a {@link ConfigError} naming the file and field.
 */
export function loadShopConfig(path: string | undefined, defaults: Partial<ShopConfig> = {}): ShopConfig {
  const base = { ...DEMO_SHOP, ...defaults };
  if (!path) return base;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is not valid JSON (${String(error)})`;
    throw new ConfigError('SHOP_CONFIG', `SHOP_CONFIG: ${path} ${why}: put the path of your shop's JSON file (see shop.example.json).`);
  }
  const result = schema.partial().strict().safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.') || '(the file)';
    throw new ConfigError('SHOP_CONFIG', `SHOP_CONFIG: in ${path}, "${field}" is not valid: ${issue.message}.`);
  }
  return { ...base, ...result.data };
}
