import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/**
 * Guards the owner's pages with `ADMIN_TOKEN`, given as `Authorization: Bearer <token>`, an
 * `akwaba_admin` cookie, or `?token=` (then kept in a cookie). Compared in constant time.
 * Without a configured token every guarded page answers 403 with how to set one.
 */
export function requireAdmin(adminToken: string | null): MiddlewareHandler {
  const expected = adminToken ? digest(adminToken) : undefined;
  return async (c, next) => {
    if (!expected) {
      return c.text('Pages du propriétaire fermées : définissez ADMIN_TOKEN dans .env (au moins 16 caractères), puis redémarrez.', 403);
    }
    const bearer = c.req.header('authorization')?.match(/^Bearer (.+)$/)?.[1];
    const cookie = c.req.header('cookie')?.match(/(?:^|;\s*)akwaba_admin=([^;]+)/)?.[1];
    const query = c.req.query('token');
    const given = bearer ?? query ?? (cookie ? decodeCookie(cookie) : undefined);
    if (!given || !timingSafeEqual(digest(given), expected)) return c.text('Accès refusé : jeton invalide.', 401);
    if (query) {
      c.header('set-cookie', `akwaba_admin=${encodeURIComponent(query)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=2592000`);
    }
    await next();
    return undefined;
  };
}

/** A cookie value that is not valid percent-encoding is no token (rather than a 500). */
function decodeCookie(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

// Hashing first gives equal-length buffers, so timingSafeEqual never leaks the token's length.
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
