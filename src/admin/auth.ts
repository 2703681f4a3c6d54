import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { addressKey, clientAddress, isHttps, type TrustedProxies } from '../infra/client-address.js';
import { createKeyLimiter } from '../infra/key-limiter.js';
import { loginPage, type LoginProblem } from './login-page.js';
import { hostOf, requestHost, requireSameOriginJson } from './owner-actions.js';
import { createSessions } from './sessions.js';

/** The owner's session cookie: a random id, valid under `/admin` only. */
export const SESSION_COOKIE = 'akwaba_session';
/** The cookie older versions kept the raw admin token in; cleared when seen. */
const LEGACY_COOKIE = 'akwaba_admin';
const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60_000;
const FAILED_LOGINS = { limit: 10, windowMs: 15 * 60_000 };

/** Options of {@link createOwnerAuth}. */
export interface OwnerAuthOptions {
  /** `ADMIN_TOKEN`; `null` keeps the owner's pages closed (they say how to open them). */
  readonly adminToken: string | null;
  /** `TRUST_PROXY`: whether `X-Forwarded-Proto`/`-For`/`-Host` are believed (Secure cookie, address, origin). */
  readonly trustProxy?: TrustedProxies;
  /** How long a login lasts. Default 12 h. */
  readonly sessionTtlMs?: number;
  /** Most sessions at once. Default 20. */
  readonly maxSessions?: number;
  readonly now?: () => number;
}

/** The door of the owner's pages. */
export interface OwnerAuth {
  /**
   * For pages and reads: a session cookie, `Authorization: Bearer <ADMIN_TOKEN>` (scripts), or
   * `?token=` on a GET, which opens a session and redirects to the same URL without it.
   */
  readonly guard: MiddlewareHandler;
  /**
   * For every state-changing route: a session or a bearer token, and, with a session, an
   * `Origin` of the page itself and a JSON body (so no form or page elsewhere can forge it).
   */
  readonly action: MiddlewareHandler;
  /** Adds `GET`/`POST /admin/login` and `POST /admin/logout`. */
  addLoginRoutes(app: Hono): void;
}

type Verdict = { readonly via: 'bearer' | 'session' | 'query' } | { readonly refused: LoginProblem | 'closed' };

/**
 * Creates the owner's authentication. The admin token is compared in constant time; the
 * browser only ever holds a server-issued session id (`HttpOnly; SameSite=Strict`, `Secure`
 * over HTTPS, 12 h); ten wrong tokens from one address in 15 minutes close the door to it
 * for a while. Every response under it is sent with `frame-ancestors 'none'` and
 * `X-Frame-Options: DENY`, so no other page can frame the owner's buttons.
 *
 * @example
 * const owner = createOwnerAuth({ adminToken: config.adminToken, trustProxy: config.trustProxy });
 * owner.addLoginRoutes(app);
 * app.get('/admin', owner.guard, showDashboard);
 * app.post('/admin/orders/:id/status', owner.action, changeStatus);
 */
export function createOwnerAuth(options: OwnerAuthOptions): OwnerAuth {
  const expected = options.adminToken ? digest(options.adminToken) : undefined;
  const trustProxy = options.trustProxy ?? 0;
  const now = options.now ?? Date.now;
  const ttlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const sessions = createSessions({ ttlMs, maxSessions: options.maxSessions ?? 20, now });
  const failures = createKeyLimiter({ ...FAILED_LOGINS, maxKeys: 10_000, now });

  const addressOf = (c: Context) => addressKey(clientAddress(c, trustProxy));

  /** Compares a given token, counting a wrong one against the address. */
  function tokenMatches(c: Context, given: string): LoginProblem | undefined {
    const address = addressOf(c);
    if (failures.peek(address) > 0) return 'too_many';
    if (expected && timingSafeEqual(digest(given), expected)) return undefined;
    failures.take(address);
    return 'wrong_token';
  }

  function authenticate(c: Context, allowQuery: boolean): Verdict {
    if (!expected) return { refused: 'closed' };
    const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (bearer !== undefined) {
      const problem = tokenMatches(c, bearer);
      return problem ? { refused: problem } : { via: 'bearer' };
    }
    const query = allowQuery && ['GET', 'HEAD'].includes(c.req.method) ? c.req.query('token') : undefined;
    if (query) {
      const problem = tokenMatches(c, query);
      return problem ? { refused: problem } : { via: 'query' };
    }
    const session = readCookie(c, SESSION_COOKIE);
    if (session && sessions.isValid(session)) return { via: 'session' };
    return { refused: session ? 'expired' : 'none' };
  }

  function startSession(c: Context): void {
    const secure = isHttps(c, trustProxy) ? '; Secure' : '';
    const id = sessions.open();
    c.header('set-cookie', `${SESSION_COOKIE}=${id}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(ttlMs / 1000)}${secure}`, {
      append: true,
    });
  }

  function refuse(c: Context, problem: LoginProblem | 'closed'): Response {
    secureHeaders(c);
    if (problem === 'closed') {
      return c.text('Pages du propriétaire fermées : définissez ADMIN_TOKEN dans .env (au moins 16 caractères), puis redémarrez.', 403);
    }
    const status = problem === 'too_many' ? 429 : 401;
    if (isPageRequest(c)) return c.html(loginPage({ next: cleanPath(c), problem }), status);
    return c.json({ error: problem === 'too_many' ? 'too_many' : 'unauthorized', message: 'Accès refusé : jeton invalide ou session expirée.' }, status);
  }

  const guard: MiddlewareHandler = async (c, next) => {
    const verdict = authenticate(c, true);
    if ('refused' in verdict) return refuse(c, verdict.refused);
    forgetLegacyCookie(c);
    if (verdict.via === 'query') startSession(c);
    if (c.req.query('token') !== undefined && ['GET', 'HEAD'].includes(c.req.method)) {
      secureHeaders(c);
      return c.redirect(cleanPath(c), 303);
    }
    await next();
    secureHeaders(c);
    return undefined;
  };

  const sameOriginJson = requireSameOriginJson({ trustProxy });
  const action: MiddlewareHandler = async (c, next) => {
    const verdict = authenticate(c, false);
    if ('refused' in verdict) return refuse(c, verdict.refused);
    secureHeaders(c);
    if (verdict.via === 'session') return sameOriginJson(c, next);
    await next();
    return undefined;
  };

  return {
    guard,
    action,
    addLoginRoutes(app) {
      app.get('/admin/login', (c) => {
        secureHeaders(c);
        return c.html(loginPage({ next: safeNext(c.req.query('next')), problem: 'none' }));
      });
      app.post('/admin/login', async (c) => {
        secureHeaders(c);
        if (!expected) return refuse(c, 'closed');
        const origin = c.req.header('origin');
        if (origin !== undefined && origin !== 'null' && hostOf(origin) !== requestHost(c, trustProxy)) return c.text('Connexion refusée.', 403);
        const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
        const token = typeof form['token'] === 'string' ? form['token'] : '';
        const next = safeNext(typeof form['next'] === 'string' ? form['next'] : undefined);
        const problem = tokenMatches(c, token);
        if (problem) return c.html(loginPage({ next, problem }), problem === 'too_many' ? 429 : 401);
        forgetLegacyCookie(c);
        startSession(c);
        return c.redirect(next, 303);
      });
      app.post('/admin/logout', action, (c) => {
        const session = readCookie(c, SESSION_COOKIE);
        if (session) sessions.close(session);
        c.header('set-cookie', `${SESSION_COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0`, { append: true });
        return c.json({ location: '/admin/login' });
      });
    },
  };
}

/** No page elsewhere may frame the owner's pages (clickjacking), nor read where they link from. */
function secureHeaders(c: Context): void {
  const headers: Record<string, string> = {
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
      "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  for (const [name, value] of Object.entries(headers)) {
    if (c.finalized) c.res.headers.set(name, value);
    else c.header(name, value);
  }
}

function forgetLegacyCookie(c: Context): void {
  if (readCookie(c, LEGACY_COOKIE) !== undefined) {
    c.header('set-cookie', `${LEGACY_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`, { append: true });
  }
}

function readCookie(c: Context, name: string): string | undefined {
  const pattern = new RegExp(`(?:^|;\\s*)${name}=([^;]*)`);
  return pattern.exec(c.req.header('cookie') ?? '')?.[1];
}

function isPageRequest(c: Context): boolean {
  const path = new URL(c.req.url).pathname;
  return c.req.method === 'GET' && !path.startsWith('/admin/api/') && !path.startsWith('/admin/assets/');
}

/** The request's path and query without `token`. */
function cleanPath(c: Context): string {
  const url = new URL(c.req.url);
  url.searchParams.delete('token');
  return `${url.pathname}${url.search}`;
}

/** Where to go after logging in: a path of the owner's pages, nothing else (no open redirect). */
function safeNext(next: string | undefined): string {
  return next && /^\/admin(?:[/?#]|$)/.test(next) && !next.includes('//') && !next.includes('\\') ? next : '/admin';
}

// Hashing first gives equal-length buffers, so timingSafeEqual never leaks the token's length.
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
