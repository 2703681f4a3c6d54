/**
 * The dashboard in a real browser: the figures of a seeded month on the page, the door shut
 * to a wrong token, and a handoff round trip (a customer asks for a person on Telegram, the
 * owner answers from the dashboard, then hands the chat back to the bot).
 */
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER_HANDOFF_LINE } from '../../src/handoff/index.js';
import { formatFcfa, formatNumber, formatRate } from '../../src/records/summary.js';
import { chromiumMissing, hasChromium, launchBrowser } from '../support/browser.js';
import { craftedHistory, EXPECTED_TOTALS } from '../records/history.js';
import { ADMIN_TOKEN, BOT_ANSWER, OWNER_CHAT_ID, startDashboardStack, type DashboardStack } from './dashboard-stack.js';

const SCREENSHOTS = 'test-output';
const DESKTOP = { viewport: { width: 1280, height: 900 }, locale: 'fr-FR' };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'fr-FR' };
const WAIT = { timeout: 5000 };
const CUSTOMER = 555_001;

describe.skipIf(!hasChromium)(`the owner's dashboard in Chromium${chromiumMissing}`, () => {
  let stack: DashboardStack;
  let browser: Browser;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startDashboardStack(), launchBrowser()]);
    await mkdir(SCREENSHOTS, { recursive: true });
    // A month of Mode Ivoire, ending now.
    const history = craftedHistory(Date.now());
    await stack.store.recordEvents(history.events);
    for (const [i, order] of history.orders.entries()) {
      const placed = await stack.store.placeOrder({
        idempotencyKey: `seed-${i}`,
        channel: order.channel,
        chatId: order.chatId,
        customerName: order.name,
        phone: '+2250707070707',
        zone: 'Marcory',
        lines: [{ productId: order.product, size: 'M', quantity: 1 }],
      });
      if (order.status !== 'pending') await stack.store.setOrderStatus(placed.orderId, order.status as 'cancelled' | 'delivered');
    }
  }, 15_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function ownerPage(options = DESKTOP): Promise<Page> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const response = await page.goto(`${stack.url}/admin?token=${ADMIN_TOKEN}`);
    expect(response?.status()).toBe(200);
    return page;
  }

  const kpi = (page: Page, name: string) => page.locator(`[data-kpi="${name}"] .value`).innerText();

  it('shows the seeded month’s figures, and draws the chart', async () => {
    const page = await ownerPage();
    try {
      expect(await kpi(page, 'conversations')).toBe(formatNumber(EXPECTED_TOTALS.conversations));
      expect(await kpi(page, 'messages')).toBe(formatNumber(EXPECTED_TOTALS.messages));
      expect(await kpi(page, 'fallbacks')).toBe(formatNumber(EXPECTED_TOTALS.fallbacks));
      expect(await kpi(page, 'recoveries')).toBe(formatNumber(EXPECTED_TOTALS.recoveries));
      expect(await kpi(page, 'recovery-rate')).toBe(formatRate(EXPECTED_TOTALS.recoveryRate));
      expect(await kpi(page, 'abandons')).toBe(formatNumber(EXPECTED_TOTALS.abandons));
      expect(await kpi(page, 'orders')).toBe(formatNumber(EXPECTED_TOTALS.orders));
      expect(await kpi(page, 'revenue')).toBe(formatFcfa(EXPECTED_TOTALS.revenueFcfa));
      await page.locator('#chart[data-drawn="true"] canvas').waitFor(WAIT);
      expect(await page.locator('#commandes tr[data-order]').count()).toBe(3);
      expect(await page.locator('.msg.kind-fallback').count()).toBeGreaterThanOrEqual(6);
      // the customer's markup is shown as text, never run
      expect(await page.locator('[data-chat="whatsapp:W3"] summary strong').innerText()).toBe('Bintou <b>');
    } finally {
      await page.context().close();
    }
  });

  it('refuses a wrong token', async () => {
    const context = await browser.newContext(DESKTOP);
    try {
      const page = await context.newPage();
      const response = await page.goto(`${stack.url}/admin?token=not-the-owner-token-at-all`);
      expect(response?.status()).toBe(401);
      expect(await page.locator('body').innerText()).toContain('Accès refusé');
      expect(await page.locator('[data-kpi]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('hands a customer who asks for a person to the owner, and back to the bot', async () => {
    stack.telegram.pushMessage(CUSTOMER, 'Bonjour, vous avez des robes ?');
    expect(await stack.waitForTexts(CUSTOMER, 1)).toEqual([BOT_ANSWER]);
    stack.telegram.pushMessage(CUSTOMER, 'je veux parler à quelqu’un');
    expect(await stack.waitForTexts(CUSTOMER, 2)).toEqual([BOT_ANSWER, CUSTOMER_HANDOFF_LINE]);
    const [notice] = await stack.waitForTexts(OWNER_CHAT_ID, 1);
    expect(notice).toContain('🙋 Awa demande à parler à une personne (Telegram).');
    expect(notice).toContain('👤 je veux parler à quelqu’un');
    await stack.recorder.flush();

    const page = await ownerPage();
    try {
      const card = page.locator(`[data-handoff="telegram:${CUSTOMER}"]`);
      await card.waitFor(WAIT);
      expect(await page.locator('[data-handoff-count]').innerText()).toBe('1');
      expect(await page.title()).toBe('(1) Tableau de bord — Mode Ivoire');
      await page.locator('#chart[data-drawn="true"] canvas').waitFor(WAIT);
      await page.screenshot({ path: `${SCREENSHOTS}/dashboard-desktop.png`, fullPage: true });
      await page.screenshot({ path: `${SCREENSHOTS}/dashboard-desktop-top.png`, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1900 } });
      const phone = await ownerPage(PHONE);
      await phone.locator('#chart[data-drawn="true"] canvas').waitFor(WAIT);
      await phone.screenshot({ path: `${SCREENSHOTS}/dashboard-phone.png`, fullPage: true });
      await phone.context().close();

      await card.locator('textarea').fill('Bonjour Awa, ici Aya de la boutique. La Robe Cocktail Bordeaux est dispo en M 🙂');
      await card.getByRole('button', { name: 'Envoyer' }).click();
      await page.getByText('Message envoyé au client.').waitFor(WAIT);
      const texts = await stack.waitForTexts(CUSTOMER, 3);
      expect(texts[2]).toBe('Bonjour Awa, ici Aya de la boutique. La Robe Cocktail Bordeaux est dispo en M 🙂');

      // while the owner holds the chat, the bot says nothing
      stack.telegram.pushMessage(CUSTOMER, 'Super, je la prends');
      await stack.waitForTexts(OWNER_CHAT_ID, 2);
      expect(stack.texts(CUSTOMER)).toHaveLength(3);

      await stack.recorder.flush();
      await page.reload();
      const chat = page.locator(`[data-chat="telegram:${CUSTOMER}"]`);
      expect(await chat.locator('.msg.kind-human').innerText()).toContain('ici Aya de la boutique');
      expect(await chat.locator('.badge-alert').innerText()).toBe('avec une personne');

      await page.locator(`[data-handoff="telegram:${CUSTOMER}"]`).getByRole('button', { name: /Rendre la main au bot/ }).click();
      await page.getByText('Le bot répond de nouveau dans cette conversation.').waitFor(WAIT);
      expect(await page.locator('[data-handoff]').count()).toBe(0);

      stack.telegram.pushMessage(CUSTOMER, 'Et la livraison à Marcory ?');
      expect((await stack.waitForTexts(CUSTOMER, 4))[3]).toBe(BOT_ANSWER);
    } finally {
      await page.context().close();
    }
  });
});
