/**
 * A customer buys in the web chat, in headless Chromium, with no model: the checkout's
 * choices are buttons under the shop's messages; pressing one sends its label; typing works
 * as well. The whole app serves the page, as in production.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, hasChromium, launchBrowser } from '../support/browser.js';
import { startShop, stockOf, type ShopStack } from './stack.js';

const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'fr-FR' };
const WAIT = { timeout: 8000 };

declare const localStorage: { getItem(key: string): string | null };
declare const window: { pwned?: number };

async function write(page: Page, text: string): Promise<void> {
  await page.locator('#input').fill(text);
  await page.locator('#input').press('Enter');
}

/** Waits for a shop bubble containing `text`. */
async function shopSays(page: Page, text: string): Promise<void> {
  await page.locator('#messages .row.shop', { hasText: text }).last().waitFor(WAIT);
}

describe.skipIf(!hasChromium)(`the guided checkout in the web chat, in Chromium${chromiumMissing}`, () => {
  let browser: Browser;
  let stack: ShopStack;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
    stack = await startShop({ web: true, serve: true });
  });
  afterAll(async () => {
    await stack?.close();
    await browser?.close();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  async function open(): Promise<Page> {
    context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${stack.url}/`);
    return page;
  }

  it('takes an order by buttons and typing, from the list to the confirmation', async () => {
    const page = await open();
    const before = await stockOf(stack, 'ensemble-wax-haut-jupe', 'S');
    await write(page, 'Vous avez des ensembles ?');
    await shopSays(page, 'Ensemble Pagne Wax Haut + Jupe');
    await page.locator('.choice', { hasText: 'Ensemble Pagne Wax Haut + Jupe' }).last().click();
    await shopSays(page, 'Quelle taille vous faut-il ?');
    // The pressed choice went out as the customer's message; older choices are greyed out.
    expect(await page.locator('#messages .row.customer').last().innerText()).toContain('Ensemble Pagne Wax Haut + Jupe');
    expect(await page.locator('.choice:not([disabled])').allInnerTexts()).toEqual(['S', 'M', '❌ Annuler']);

    await page.locator('.choice', { hasText: /^S$/ }).click();
    await shopSays(page, 'quel est votre nom complet ?');
    await write(page, 'Mariam Traoré, 07 07 12 34 56, Marcory');
    await shopSays(page, 'Total : 37 000 FCFA');
    await page.locator('.choice', { hasText: 'Confirmer' }).click();
    await shopSays(page, 'est enregistrée !');
    expect(await stockOf(stack, 'ensemble-wax-haut-jupe', 'S')).toBe(before - 1);
    expect(await page.locator('.choice:not([disabled])').count()).toBe(0);
  });

  it('shows a button label as text, never as markup', async () => {
    const page = await open();
    await write(page, 'bonjour');
    await shopSays(page, 'bienvenue');
    const visitor = await page.evaluate(() => localStorage.getItem('akwaba.visitor'));
    const label = '<img src=x onerror="window.pwned=1"><b>gras</b>';
    // The chat id is the first 22 characters of the visitor id the server signed.
    await stack.web!.sendText(visitor!.slice(0, 22), 'Un choix ?', { buttons: [{ id: 'test:1', label }] });
    await shopSays(page, 'Un choix ?');
    expect(await page.locator('.choice').last().textContent()).toBe(label);
    expect(await page.locator('#messages img, #messages b').count()).toBe(0);
    expect(await page.evaluate(() => window.pwned)).toBeUndefined();
  });
});
