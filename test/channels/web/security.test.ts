import { afterEach, describe, expect, it } from 'vitest';
import { createWebChannel } from '../../../channels/web/index.js';
import { createLogger } from '../../../src/infra/logger.js';
import { startWebChat, type WebChatServer } from './server.js';

const SHOP_SITE = 'https://www.mode-ivoire.ci';
const OTHER_SITE = 'https://evil.example';

describe('web chat: page, widget, CORS and framing', () => {
  let chat: WebChatServer;

  afterEach(async () => {
    await chat.close();
  });

  it('serves the French chat page with the shop name, its own assets, and frame-ancestors for the allowed origins', async () => {
    chat = await startWebChat({ allowedOrigins: [SHOP_SITE] });
    const page = await fetch(`${chat.url}/?embed=1`);
    const html = await page.text();

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<h1 class="name">Mode Ivoire</h1>');
    expect(html).toContain('Écrivez votre message…');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`frame-ancestors 'self' ${SHOP_SITE}`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');

    for (const [path] of html.matchAll(/\/chat\/assets\/[\w.]+\?v=\w+/g)) {
      const asset = await fetch(`${chat.url}${path}`);
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get('cache-control')).toContain('immutable');
    }
    expect((await fetch(`${chat.url}/chat/assets/../index.ts`)).status).toBe(404);
  });

  it('only lets the bot itself frame the page when no origin is allowed', async () => {
    chat = await startWebChat();
    const csp = (await fetch(`${chat.url}/`)).headers.get('content-security-policy');

    expect(csp).toMatch(/frame-ancestors 'self'$/);
  });

  it('escapes the shop name in the page', async () => {
    chat = await startWebChat({ shopName: '<script>alert("x")</script> & Cie' });
    const html = await (await fetch(`${chat.url}/`)).text();

    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; Cie');
  });

  it('serves widget.js, which opens the page in a frame from the script’s own origin', async () => {
    chat = await startWebChat();
    const widget = await fetch(`${chat.url}/widget.js`);

    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toMatch(/^text\/javascript/);
    const code = await widget.text();
    expect(code).toContain("origin + '/?embed=1'");
    expect(code).toContain('document.currentScript');
  });

  it('answers CORS for an allowed origin only, on the API', async () => {
    chat = await startWebChat({ allowedOrigins: [SHOP_SITE] });
    await chat.channel.start(() => undefined);
    const visitor = await chat.newVisitor();

    const allowed = await chat.post({ visitorId: visitor, text: 'Bonjour' }, { origin: SHOP_SITE });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP_SITE);
    expect(allowed.headers.get('vary')).toContain('Origin');
    const refused = await chat.post({ visitorId: visitor, text: 'Bonjour' }, { origin: OTHER_SITE });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = (origin: string) =>
      fetch(`${chat.url}/chat/messages`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowedPreflight = await preflight(SHOP_SITE);
    expect(allowedPreflight.status).toBe(204);
    expect(allowedPreflight.headers.get('access-control-allow-origin')).toBe(SHOP_SITE);
    expect(allowedPreflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect((await preflight(OTHER_SITE)).headers.get('access-control-allow-origin')).toBeNull();

    const stream = await chat.openEvents(visitor, { origin: SHOP_SITE });
    expect(stream.response.headers.get('access-control-allow-origin')).toBe(SHOP_SITE);
    const history = await fetch(`${chat.url}/chat/history?visitor=${visitor}`, { headers: { origin: OTHER_SITE } });
    expect(history.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps markup as plain text in the API: stored and streamed exactly as typed', async () => {
    chat = await startWebChat();
    await chat.channel.start(() => undefined);
    const visitor = await chat.newVisitor();
    const page = await chat.openEvents(visitor);
    const typed = '<img src=x onerror=alert(1)> & <b>gras</b>';

    expect((await chat.post({ visitorId: visitor, text: typed })).status).toBe(202);
    const history = (await (await fetch(`${chat.url}/chat/history?visitor=${visitor}`)).json()) as { messages: Array<{ text: string }> };
    expect(history.messages[0]?.text).toBe(typed);
    const raw = page.messages.find((message) => message.event === 'message')?.data ?? '';
    expect(JSON.parse(raw)).toMatchObject({ text: typed });
  });
});

describe('createWebChannel options', () => {
  it('refuses allowed origins that are not origins, at creation', () => {
    const logger = createLogger({ level: 'silent' });
    for (const origin of ['https://www.mode-ivoire.ci/', 'www.mode-ivoire.ci', 'javascript:alert(1)', '*']) {
      expect(() => createWebChannel({ logger, shopName: 'Mode Ivoire', allowedOrigins: [origin] }), origin).toThrow(/is not an origin/);
    }
    expect(() => createWebChannel({ logger, shopName: 'Mode Ivoire', maxMessageChars: 0 })).toThrow(/maxMessageChars/);
  });
});
