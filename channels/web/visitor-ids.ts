import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A visitor id as the server issues it: 22 characters of chat id, then 22 of signature. */
export const VISITOR_ID_PATTERN = /^[A-Za-z0-9_-]{44}$/;

const CHAT_ID_LENGTH = 22;

/** Issues and checks visitor ids. */
export interface VisitorIds {
  /** A new visitor: the id the page keeps, and the chat id the bot knows the conversation by. */
  issue(): { readonly visitorId: string; readonly chatId: string };
  /** The chat id of a visitor id this server issued, or `null` for anything else. */
  verify(visitorId: unknown): string | null;
}

/**
 * Visitor ids signed by the server: 128 random bits (the chat id, which the core, the
 * records and the dashboard see) followed by an HMAC-SHA256 of it under a secret only the
 * server has. A page cannot invent a visitor, and the chat id alone, wherever it is shown,
 * does not open the visitor's chat.
 *
 * @example
 * const ids = createVisitorIds(secret);
 * const { visitorId } = ids.issue();
 * ids.verify(visitorId); // the chat id
 */
export function createVisitorIds(secret: Uint8Array): VisitorIds {
  if (secret.byteLength < 32) throw new RangeError('the visitor secret must be at least 32 bytes');
  const sign = (chatId: string) => createHmac('sha256', secret).update(`akwaba web visitor\u0000${chatId}`).digest().subarray(0, 16);
  return {
    issue() {
      const chatId = randomBytes(16).toString('base64url');
      return { visitorId: `${chatId}${sign(chatId).toString('base64url')}`, chatId };
    },
    verify(visitorId) {
      if (typeof visitorId !== 'string' || !VISITOR_ID_PATTERN.test(visitorId)) return null;
      const chatId = visitorId.slice(0, CHAT_ID_LENGTH);
      // Compared as text: base64url's last character has spare bits, so two spellings decode alike.
      const given = Buffer.from(visitorId.slice(CHAT_ID_LENGTH));
      const expected = Buffer.from(sign(chatId).toString('base64url'));
      return given.byteLength === expected.byteLength && timingSafeEqual(given, expected) ? chatId : null;
    },
  };
}

/**
 * The signing secret kept in `path` (32 random bytes, created on first use, readable by the
 * bot's user only), so visitor ids stay valid across restarts.
 */
export function loadVisitorSecret(path: string): Buffer {
  try {
    const secret = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    if (secret.byteLength >= 32) return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${secret.toString('base64url')}\n`, { mode: 0o600 });
  return secret;
}
