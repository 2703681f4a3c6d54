import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress, isHttps, isLocalRequest } from '../../src/infra/client-address.js';

/** Asks a tiny app what it makes of a request from `peer` with `headers`. */
async function seen(peer: string, headers: Record<string, string>, trustProxy: number, url = 'http://shop.example/') {
  const app = new Hono();
  app.get('/', (c) => c.json({ address: clientAddress(c, trustProxy), local: isLocalRequest(c, trustProxy), https: isHttps(c, trustProxy) }));
  const response = await app.request(url, { headers }, { incoming: { socket: { remoteAddress: peer } } });
  return (await response.json()) as { address: string; local: boolean; https: boolean };
}

describe('the client’s address', () => {
  it('is the TCP peer, whatever the headers say, without TRUST_PROXY', async () => {
    expect(await seen('::ffff:198.51.100.4', { 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https' }, 0)).toEqual({
      address: '198.51.100.4',
      local: false,
      https: false,
    });
  });

  it('behind n trusted proxies, is the n-th address from the right of X-Forwarded-For', async () => {
    const forwarded = { 'x-forwarded-for': '10.9.9.9, 203.0.113.7, 172.16.0.2', 'x-forwarded-proto': 'http, https' };
    expect((await seen('127.0.0.1', forwarded, 1)).address).toBe('172.16.0.2');
    expect((await seen('127.0.0.1', forwarded, 2)).address).toBe('203.0.113.7');
    expect((await seen('127.0.0.1', forwarded, 1)).https).toBe(true);
    expect((await seen('127.0.0.1', { 'x-forwarded-for': 'not-an-address' }, 1)).address).toBe('127.0.0.1');
  });

  it('is local only from loopback with no forwarding header (a local proxy connects from loopback for anyone)', async () => {
    expect((await seen('127.0.0.1', {}, 0)).local).toBe(true);
    expect((await seen('::1', {}, 0)).local).toBe(true);
    expect((await seen('127.0.0.1', { 'x-forwarded-for': '203.0.113.7' }, 0)).local).toBe(false);
    expect((await seen('127.0.0.1', { forwarded: 'for=203.0.113.7' }, 0)).local).toBe(false);
    expect((await seen('127.0.0.1', { 'x-forwarded-for': '203.0.113.7' }, 1)).local).toBe(false);
    expect((await seen('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }, 1)).local).toBe(true);
  });

  it('counts IPv6 clients by their /64, IPv4 clients one by one', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:ffff:eeee:dddd:1'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('203.0.113.7')).not.toBe(addressKey('203.0.113.8'));
  });
});
