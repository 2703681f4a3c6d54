import { createHash } from 'node:crypto';

const secretPatterns: readonly RegExp[] = [
  /(?<!\d)\d{6,12}:[A-Za-z0-9_-]{30,}/g, // Telegram bot tokens (also inside URLs: /bot<token>/)
  /\bsk-[A-Za-z0-9_-]{8,}\b/g, // OpenAI-style API keys
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g, // JWTs (Supabase keys)
  /\bsb_(?:secret|publishable)_[A-Za-z0-9_-]{10,}/g, // Supabase's newer API keys
  /\bEAA[A-Za-z0-9]{20,}/g, // Meta access tokens (WhatsApp Cloud API)
  /\bwave_[a-z]{2}_(?:prod|test|sandbox)_[A-Za-z0-9_-]{10,}/g, // Wave Business API keys
  /(?<![\w/])\+?\d(?:[ .-]?\d){7,14}(?![\w/])/g, // phone numbers, with or without separators
];

/** `scheme://user:password@` in any text: the user info of a URL. */
const URL_USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"<>]+@/gi;

/**
 * Removes the user name and password of every URL in a text:
 * `http://user:password@proxy/v1` → `http://proxy/v1`.
 */
export function stripUrlCredentials(text: string): string {
  return text.includes('@') ? text.replace(URL_USER_INFO, '$1') : text;
}

/**
 * A URL as it may be shown (logs, `/healthz`, the start-up line): without user info, query
 * or fragment, which is where credentials and keys hide.
 *
 * @example
 * displayUrl('https://user:secret@gateway.example/v1?key=abc'); // 'https://gateway.example/v1'
 */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.href;
  } catch {
    return stripUrlCredentials(url);
  }
}

/**
 * Removes bot tokens, API keys, phone numbers and URL credentials from free text (error
 * messages, stacks). Keys whose values are identifiers (`chatId`, `messageId`) are never
 * passed through it.
 */
export function scrubSecrets(text: string): string {
  return secretPatterns.reduce((scrubbed, pattern) => scrubbed.replace(pattern, '[redacted]'), stripUrlCredentials(text));
}

/**
 * A short stable stand-in for an identifier that may hold a phone number (WhatsApp chat ids
 * are phone numbers): the same chat always logs the same pseudonym, and the number never does.
 */
export function pseudonym(identifier: string): string {
  return createHash('sha256').update(identifier).digest('hex').slice(0, 12);
}

/** Every string of a plain value passed through `clean` (arrays and plain objects, a few levels deep). */
export function mapStrings(value: unknown, clean: (text: string) => string, depth = 4): unknown {
  if (typeof value === 'string') return clean(value);
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, clean, depth - 1));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, clean, depth - 1)]));
}
