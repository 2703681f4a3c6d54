import type { Context, MiddlewareHandler } from 'hono';
import type { TrustedProxies } from '../infra/client-address.js';

/** What a refused owner action says (the dashboard shows `message`). */
const REFUSALS = {
  bad_origin: 'Action refusée : elle ne venait pas des pages du propriétaire.',
  not_json: 'Action refusée : elle doit être envoyée en JSON par la page.',
} as const;

/**
 * Lets a state-changing request through only when it comes from the owner's page itself:
 * its `Origin` names this very host (a page on another port or a sibling subdomain is
 * "same-site" for cookies, but not the same origin), `Sec-Fetch-Site`, when the browser sends
 * it, says `same-origin`, and its body, if any, is JSON. A cross-origin page cannot send JSON
 * without a CORS preflight, which the bot never grants, so a forged form or `fetch` fails on
 * both counts.
 */
export function requireSameOriginJson(options: { readonly trustProxy: TrustedProxies }): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const fetchSite = c.req.header('sec-fetch-site');
    const sameOrigin = origin !== undefined && hostOf(origin) === requestHost(c, options.trustProxy);
    if (!sameOrigin || (fetchSite !== undefined && fetchSite !== 'same-origin')) return refuse(c, 'bad_origin', 403);
    if (hasBody(c) && !/^application\/json\s*(?:;|$)/i.test(c.req.header('content-type') ?? '')) return refuse(c, 'not_json', 415);
    await next();
    return undefined;
  };
}

/**
 * The JSON body of an owner action, as an object (`{}` when there is none); `undefined` when
 * it is not a JSON object.
 */
export async function actionBody(c: Context): Promise<Record<string, unknown> | undefined> {
  if (!hasBody(c)) return {};
  const body: unknown = await c.req.json().catch(() => undefined);
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

/** The host the browser addressed: `Host`, or behind a trusted proxy its `X-Forwarded-Host`. */
export function requestHost(c: Context, trustProxy: TrustedProxies): string {
  const forwarded = trustProxy > 0 ? c.req.header('x-forwarded-host')?.split(',').at(-1)?.trim() : undefined;
  return (forwarded || c.req.header('host') || new URL(c.req.url).host).toLowerCase();
}

/** `host[:port]` of an origin or URL, or `undefined` when it is not one. */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function hasBody(c: Context): boolean {
  const length = c.req.header('content-length');
  return c.req.header('content-type') !== undefined || (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined;
}

// `location` is where the dashboard's script goes to show the refusal.
function refuse(c: Context, error: keyof typeof REFUSALS, status: 403 | 415): Response {
  return c.json({ error, message: REFUSALS[error], location: '/admin?err=bad-origin' }, status);
}
