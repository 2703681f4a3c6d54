import { isIP } from 'node:net';
import type { Context } from 'hono';

/**
 * How many reverse proxies in front of the bot may be believed (`TRUST_PROXY`): 0 (the
 * default) believes no forwarding header; 1 believes the last address of `X-Forwarded-For`,
 * the one the proxy itself added, and its `X-Forwarded-Proto`.
 */
export type TrustedProxies = number;

const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-host', 'x-forwarded-proto'] as const;

/** The TCP peer of the request (the browser, or the reverse proxy), or `unknown` without a socket. */
export function peerAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } }; server?: { incoming?: { socket?: { remoteAddress?: string } } } } | undefined;
  const address = env?.incoming?.socket?.remoteAddress ?? env?.server?.incoming?.socket?.remoteAddress;
  return address ? normalizeAddress(address) : 'unknown';
}

/**
 * The address the request comes from. With `trustProxy` = n, the n-th address from the right
 * of `X-Forwarded-For` (what the n proxies saw); the left-hand entries are whatever the client
 * wrote and are never believed.
 *
 * @example
 * clientAddress(c, 1); // behind nginx: "203.0.113.7"
 */
export function clientAddress(c: Context, trustProxy: TrustedProxies): string {
  const peer = peerAddress(c);
  if (trustProxy <= 0) return peer;
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  // [peer, nearest proxy's client, …]: the n-th hop is the last one a trusted proxy wrote.
  const hops = [peer, ...forwarded.reverse()];
  const address = hops[Math.min(trustProxy, hops.length - 1)]!;
  return isIP(normalizeAddress(address)) ? normalizeAddress(address) : peer;
}

/** Whether the request reached the bot over HTTPS: directly, or through a trusted proxy that says so. */
export function isHttps(c: Context, trustProxy: TrustedProxies): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  if (trustProxy <= 0) return false;
  const proto = (c.req.header('x-forwarded-proto') ?? '').split(',').at(-1)?.trim().toLowerCase();
  return proto === 'https';
}

/**
 * Whether the request comes from this machine itself: a loopback peer, and (unless the proxy
 * is trusted and says where the client is) no forwarding header, since a reverse proxy on the
 * same machine connects from loopback on behalf of anyone.
 */
export function isLocalRequest(c: Context, trustProxy: TrustedProxies): boolean {
  if (trustProxy > 0) return isLoopback(clientAddress(c, trustProxy));
  if (FORWARDING_HEADERS.some((name) => c.req.header(name) !== undefined)) return false;
  return isLoopback(peerAddress(c));
}

/** `127.0.0.0/8` or `::1`. */
export function isLoopback(address: string): boolean {
  const plain = normalizeAddress(address);
  return plain === '::1' || (isIP(plain) === 4 && plain.startsWith('127.'));
}

/**
 * The key per-address limits count under: the address itself for IPv4, its /64 network for
 * IPv6 (one subscriber holds a whole /64, and would otherwise have 2^64 addresses to rotate).
 */
export function addressKey(address: string): string {
  const plain = normalizeAddress(address);
  if (isIP(plain) !== 6) return plain;
  return `${expandIPv6(plain).slice(0, 4).join(':')}::/64`;
}

/** `::ffff:127.0.0.1` (an IPv4 client on a dual-stack socket) → `127.0.0.1`. */
function normalizeAddress(address: string): string {
  const trimmed = address.trim().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped ? mapped[1]! : trimmed.toLowerCase();
}

function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = Math.max(0, 8 - left.length - right.length);
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => group.padStart(4, '0'));
}
