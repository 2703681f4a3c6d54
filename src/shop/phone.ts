import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * Reads a phone number as a customer types it (`07 08 09 10 11`, `+225…`, `00225…`) for the
 * shop's country, and returns it in E.164 (`+2250708091011`), or `null` when it is not a
 * valid number.
 */
export function normalizePhone(input: string, country: string): string | null {
  const parsed = parsePhoneNumberFromString(input, country.toUpperCase() as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}
