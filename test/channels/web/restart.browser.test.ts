/**
 * The web chat across a restart of the bot, in Chromium (issue #13, item 10): the page shown
 * after the restart has the customer's own question with the answers, before and after it,
 * and the visitor keeps their id (the signing secret and the chats are in DATA_DIR).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/core/engine.js';
import { chromiumMissing, hasChromium, launchBrowser } from '../../support/browser.js';
import { chatIdOf, startWebChat, type WebChatServer } from './server.js';
import { addPhotoRoute, createShopEngine } from './shop-scene.js';

const WAIT = { timeout: 5000 };
const LATER = 'Bonne nouvelle : la livraison à Marcory est offerte ce week-end 🎉';

// Page-side code runs in Chromium; the tests compile without the DOM lib, so they name the little they touch.
declare const localStorage: { getItem(key: string): string | null };
interface PageNode {
  cloneNode(deep: boolean): PageNode;
  querySelectorAll(selector: string): { forEach(each: (node: { remove(): void }) => void): void };
  readonly textContent: string | null;
}

function bubbles(page: Page, side: 'shop' | 'customer'): Promise<string[]> {
  return page.$$eval(`#messages .row.${side} .bubble`, (nodes) =>
    nodes.map((node) => {
      const copy = (node as unknown as PageNode).cloneNode(true);
      copy.querySelectorAll('time').forEach((child) => child.remove());
      return (copy.textContent ?? '').trim();
    }),
  );
}

describe.skipIf(!hasChromium)(`web chat across a restart${chromiumMissing}`, () => {
  let browser: Browser;
  let context: BrowserContext;
  let dataDir: string;
  const running: { chat: WebChatServer; engine: Engine }[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    dataDir = mkdtempSync(join(tmpdir(), 'akwaba-web-restart-'));
  });
  afterAll(async () => {
    await context?.close();
    for (const { chat, engine } of running) {
      await engine.drain();
      await chat.close();
    }
    await browser?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function startBot(port = 0): Promise<WebChatServer> {
    let photoUrl = '';
    const engine = createShopEngine({ photoUrl: () => photoUrl });
    const chat = await startWebChat({ dataDir }, addPhotoRoute, port);
    photoUrl = `${chat.url}/test-photos/robe-wax.svg`;
    await chat.channel.start(engine.receive);
    running.push({ chat, engine });
    return chat;
  }

  it('shows the customer’s question with the answers after the bot restarted, and keeps the visitor', async () => {
    const before = await startBot();
    context = await browser.newContext({ locale: 'fr-FR' });
    const page = await context.newPage();
    await page.goto(`${before.url}/`);
    await page.locator('#input').fill('Vous livrez à Marcory ?');
    await page.locator('#input').press('Enter');
    await page.locator('#messages .row.shop', { hasText: 'Réponse : Vous livrez à Marcory ?' }).waitFor(WAIT);
    const visitor = await page.evaluate(() => localStorage.getItem('akwaba.visitor'));
    expect(visitor).toMatch(/^[A-Za-z0-9_-]{44}$/);

    // The bot stops (a deploy, a crash) and comes back on the same address.
    const { engine, chat } = running.shift()!;
    await engine.drain();
    await chat.close();
    const after = await startBot(Number(new URL(before.url).port));
    await after.channel.sendText(chatIdOf(visitor!), LATER); // say, an answer the journal's recovery sends

    await page.reload();
    await page.locator('#messages .row.shop', { hasText: LATER }).waitFor(WAIT);
    expect(await bubbles(page, 'customer')).toEqual(['Vous livrez à Marcory ?']);
    expect(await bubbles(page, 'shop')).toEqual(['Réponse : Vous livrez à Marcory ?', LATER]);
    expect(await page.evaluate(() => localStorage.getItem('akwaba.visitor'))).toBe(visitor);

    await page.locator('#input').fill('Merci, je commande !');
    await page.locator('#input').press('Enter');
    await page.locator('#messages .row.shop', { hasText: 'Réponse : Merci, je commande !' }).waitFor(WAIT);
    expect(await page.locator('#messages .failed').count()).toBe(0);
  });
});
