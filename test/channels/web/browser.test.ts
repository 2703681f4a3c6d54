import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/core/engine.js';
import { chromiumMissing, hasChromium, launchBrowser } from '../../support/browser.js';
import { startWebChat, type WebChatServer } from './server.js';
import { addPhotoRoute, answers, createShopEngine, FALLBACK, PHOTO_PATH } from './shop-scene.js';

// Page-side code runs in Chromium; the tests compile without the DOM lib, so they name the little they touch.
interface PageNode {
  cloneNode(deep: boolean): PageNode;
  querySelectorAll(selector: string): { forEach(each: (node: { remove(): void }) => void): void };
  readonly textContent: string | null;
}
interface PageImage {
  readonly complete: boolean;
  readonly naturalWidth: number;
  decode(): Promise<void>;
}
interface PageBox {
  getBoundingClientRect(): { readonly bottom: number; readonly right: number };
}
declare const document: { readonly documentElement: { readonly scrollWidth: number }; getElementById(id: string): PageBox };
declare function getComputedStyle(element: PageBox): { readonly opacity: string };

const SCREENSHOTS = 'test-output';
const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'fr-FR' };
const DESKTOP = { viewport: { width: 1280, height: 800 }, locale: 'fr-FR' };
const WAIT = { timeout: 5000 };

/** The words of every bubble on one side, without their time. */
function bubbles(page: Page, side: 'shop' | 'customer'): Promise<string[]> {
  return page.$$eval(`#messages .row.${side} .bubble`, (nodes) =>
    nodes.map((node) => {
      const copy = (node as unknown as PageNode).cloneNode(true);
      copy.querySelectorAll('time, img').forEach((child) => child.remove());
      return (copy.textContent ?? '').trim();
    }),
  );
}

async function write(page: Page, text: string): Promise<void> {
  await page.locator('#input').fill(text);
  await page.locator('#input').press('Enter');
}

describe.skipIf(!hasChromium)(`web chat in Chromium${chromiumMissing}`, () => {
  let browser: Browser;
  let chat: WebChatServer;
  let engine: Engine;
  let context: BrowserContext | undefined;
  const sites: ServerType[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function start(options: Parameters<typeof startWebChat>[0] = {}): Promise<void> {
    let photoUrl = '';
    engine = createShopEngine({ photoUrl: () => photoUrl });
    chat = await startWebChat(options, addPhotoRoute);
    photoUrl = `${chat.url}${PHOTO_PATH}`;
    await chat.channel.start(engine.receive);
  }

  async function open(device: typeof PHONE | typeof DESKTOP = PHONE, path = '/'): Promise<Page> {
    context = await browser.newContext(device);
    const page = await context.newPage();
    await page.goto(`${chat.url}${path}`);
    return page;
  }

  afterEach(async () => {
    await context?.close();
    context = undefined;
    await engine?.drain();
    await chat?.close();
    await Promise.all(sites.splice(0).map((site) => new Promise((resolve) => site.close(resolve))));
  });

  it('a customer writes and sees "…", then the fallback, then the late answer', async () => {
    await start();
    const page = await open();
    expect(await page.locator('h1').textContent()).toBe('Mode Ivoire');
    await write(page, 'Vous livrez à Yopougon ?');

    await page.locator('#typing').waitFor({ state: 'visible', ...WAIT });
    await page.locator('#messages .row.shop', { hasText: FALLBACK }).waitFor(WAIT);
    await page.locator('#typing').waitFor({ state: 'visible', ...WAIT }); // still thinking after the fallback
    await page.locator('#messages .row.shop', { hasText: 'Livraison à Yopougon' }).waitFor(WAIT);
    await page.locator('#typing').waitFor({ state: 'hidden', ...WAIT });

    expect(await bubbles(page, 'customer')).toEqual(['Vous livrez à Yopougon ?']);
    expect(await bubbles(page, 'shop')).toEqual([FALLBACK, answers.yopougon]);
    expect(await page.locator('#messages .pending, #messages .failed').count()).toBe(0);
  });

  it('shows the conversation again after a reload, photo and links included', async () => {
    await start();
    const page = await open();
    await write(page, 'Bonjour, vous avez une robe en wax pour un mariage ?');
    await page.locator('#messages .row.shop', { hasText: 'robe wax évasée plaît' }).waitFor(WAIT);

    await page.reload();
    await page.locator('#messages .row.shop', { hasText: 'robe wax évasée plaît' }).waitFor(WAIT);
    expect(await bubbles(page, 'customer')).toEqual(['Bonjour, vous avez une robe en wax pour un mariage ?']);
    expect(await bubbles(page, 'shop')).toEqual([answers.photoCaption, answers.wax]);
    const photo = page.locator('#messages .photo img');
    await expect.poll(() => photo.evaluate((image) => (image as unknown as PageImage).complete && (image as unknown as PageImage).naturalWidth > 0), WAIT).toBe(true);
    const link = page.locator('#messages a');
    expect(await link.getAttribute('href')).toBe('https://www.mode-ivoire.ci/robes');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.getAttribute('target')).toBe('_blank');
  });

  it('shows typed markup as text, fires no dialog, and links only http(s) URLs', async () => {
    await start();
    const page = await open();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const typed = '<img src=x onerror=alert(1)> javascript:alert(2) <b>gras</b>';
    await write(page, typed);

    await page.locator('#messages .row.shop', { hasText: 'Réponse :' }).waitFor(WAIT);
    expect(await bubbles(page, 'customer')).toEqual([typed]);
    expect(await bubbles(page, 'shop')).toEqual([`Réponse : ${typed}`]);
    expect(await page.locator('#messages img, #messages b, #messages a').count()).toBe(0);
    await page.reload();
    await page.locator('#messages .row.shop', { hasText: 'Réponse :' }).waitFor(WAIT);
    expect(await page.locator('#messages img, #messages b, #messages a').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('keeps a too long message in the box with a French word, and shows the server’s 429 politely', async () => {
    await start({ maxMessageChars: 40, messagesPerAddressPerMinute: 2 });
    const page = await open();
    await page.locator('#input').fill('x'.repeat(41));
    await expect.poll(() => page.locator('#counter').textContent(), WAIT).toBe('41 / 40');
    await page.locator('#input').press('Enter');
    await expect.poll(() => page.locator('#notice').textContent(), WAIT).toContain('trop long (40 caractères au maximum)');
    expect(await page.locator('#input').inputValue()).toHaveLength(41);
    expect(await page.locator('#messages .row').count()).toBe(0);

    await write(page, 'un');
    await write(page, 'deux');
    await page.locator('#messages .row.shop', { hasText: 'Réponse : deux' }).waitFor(WAIT);
    await write(page, 'trois');
    await expect.poll(() => page.locator('#notice').textContent(), WAIT).toContain('Ce message n’est pas parti : renvoyez-le dans');
    await page.locator('#messages .row.failed', { hasText: 'trois' }).getByText('Non envoyé · Réessayer').waitFor(WAIT);
  });

  it('fits a 360×740 phone screen (screenshot)', async () => {
    await start();
    const page = await open(PHONE);
    await page.screenshot({ path: `${SCREENSHOTS}/web-chat-phone-welcome.png` });
    await write(page, 'Bonjour ! Vous avez des robes en wax pour un mariage samedi ?');
    await page.locator('#messages .row.shop', { hasText: 'robe wax évasée plaît' }).waitFor(WAIT);
    await write(page, 'En XL s’il vous plaît. Vous livrez à Yopougon ?');
    await page.locator('#messages .row.shop', { hasText: FALLBACK }).waitFor(WAIT);
    await page.locator('#typing').waitFor({ state: 'visible', ...WAIT });
    await page.locator('#messages .photo img').evaluate((image) => (image as unknown as PageImage).decode());

    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      composerBottom: document.getElementById('composer').getBoundingClientRect().bottom,
      sendRight: document.getElementById('send').getBoundingClientRect().right,
    }));
    expect(layout.scrollWidth).toBeLessThanOrEqual(360);
    expect(layout.composerBottom).toBeLessThanOrEqual(740);
    expect(layout.sendRight).toBeLessThanOrEqual(360);
    await page.locator('#input').fill('Parfait, je la prends !');
    await page.waitForFunction(() => getComputedStyle(document.getElementById('send')).opacity === '1'); // after its fade-in
    await page.screenshot({ path: `${SCREENSHOTS}/web-chat-phone.png` });

    await page.locator('#messages .row.shop', { hasText: 'Livraison à Yopougon' }).waitFor(WAIT);
    await page.locator('#typing').waitFor({ state: 'hidden', ...WAIT });
    await page.screenshot({ path: `${SCREENSHOTS}/web-chat-phone-answered.png` });
  });

  it('looks right on a desktop screen (screenshot)', async () => {
    await start();
    const page = await open(DESKTOP);
    await write(page, 'Bonjour ! Vous avez des robes en wax pour un mariage samedi ?');
    await page.locator('#messages .row.shop', { hasText: 'robe wax évasée plaît' }).waitFor(WAIT);
    await write(page, 'En XL s’il vous plaît. Vous livrez à Yopougon ?');
    await page.locator('#messages .row.shop', { hasText: 'Livraison à Yopougon' }).waitFor(WAIT);
    await page.locator('#typing').waitFor({ state: 'hidden', ...WAIT });
    await page.locator('#messages .photo img').evaluate((image) => (image as unknown as PageImage).decode());
    await page.screenshot({ path: `${SCREENSHOTS}/web-chat-desktop.png` });
  });

  it('opens from widget.js on an allowed shop site, and is refused in the frame of another site', async () => {
    const shopSite = await startSite();
    const otherSite = await startSite();
    await start({ allowedOrigins: [shopSite] });
    context = await browser.newContext(DESKTOP);
    const page = await context.newPage();
    await page.goto(`${shopSite}/?bot=${encodeURIComponent(chat.url)}`);

    await page.getByRole('button', { name: 'Discuter avec la boutique' }).click();
    const frame = page.frameLocator('iframe[title="Discuter avec la boutique"]');
    await frame.locator('#input').fill('Vous avez du wax ?');
    await frame.locator('#input').press('Enter');
    await frame.locator('#messages .row.shop', { hasText: 'robe wax évasée plaît' }).waitFor(WAIT);
    await frame.locator('#messages .photo img').evaluate((image) => (image as unknown as PageImage).decode());
    await page.screenshot({ path: `${SCREENSHOTS}/web-chat-widget.png` });
    await frame.getByRole('button', { name: 'Fermer la discussion' }).click();
    await page.locator('iframe').waitFor({ state: 'hidden', ...WAIT });

    const other = await context.newPage();
    await other.goto(`${otherSite}/?bot=${encodeURIComponent(chat.url)}`);
    await other.getByRole('button', { name: 'Discuter avec la boutique' }).click();
    // Chromium replaces a frame refused by frame-ancestors with its error page.
    const framedUrl = () => other.frames().find((candidate) => candidate !== other.mainFrame())?.url();
    await expect.poll(framedUrl, WAIT).toMatch(/^chrome-error:/);
  });

  /** A shop's own website (another origin) with the one script tag. */
  async function startSite(): Promise<string> {
    const app = new Hono();
    app.get('/', (c) => {
      const bot = new URL(c.req.query('bot') ?? '').origin;
      return c.html(
        `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Mode Ivoire</title></head>` +
          `<body style="font-family:sans-serif;margin:40px;background:#fff"><h1>Mode Ivoire</h1><p>Boutique de mode à Abidjan.</p>` +
          `<script src="${bot}/widget.js" async></script></body></html>`,
      );
    });
    const server = await new Promise<ServerType>((resolve) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    });
    sites.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
});
