import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, hasChromium, launchBrowser } from '../../support/browser.js';
import { startWebChat, type WebChatServer } from './server.js';

describe.skipIf(!hasChromium)(`web chat in Chromium: the pay button${chromiumMissing}`, () => {
  let browser: Browser;
  let chat: WebChatServer;
  beforeAll(async () => {
    browser = await launchBrowser();
    chat = await startWebChat();
    // The shop answers any message with a payment link whose label tries to be markup.
    await chat.channel.start((message) => {
      void chat.channel.sendLink(message.chatId, '💳 Commande n°1042 : 47 000 FCFA à régler.', {
        label: '<b>Payer</b> 47 000 FCFA',
        url: 'https://pay.wave.com/c/cos-1042?a=47000&c=XOF',
      });
    });
  });
  afterAll(async () => {
    await chat?.close();
    await browser?.close();
  });

  it('shows a button under the message that opens the link in a new tab, its label as text, after a reload too', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR' });
    try {
      const page = await context.newPage();
      await page.goto(chat.url);
      await page.locator('#input').fill('je veux payer');
      await page.locator('#input').press('Enter');
      for (const round of ['live', 'reloaded']) {
        const button = page.locator('#messages .row.shop a.link-button');
        await button.waitFor({ timeout: 5000 });
        expect(await button.textContent(), round).toBe('<b>Payer</b> 47 000 FCFA');
        expect(await button.getAttribute('href')).toBe('https://pay.wave.com/c/cos-1042?a=47000&c=XOF');
        expect(await button.getAttribute('target')).toBe('_blank');
        expect(await button.getAttribute('rel')).toBe('noopener noreferrer');
        expect(await page.locator('#messages b').count()).toBe(0);
        await page.reload();
      }
    } finally {
      await context.close();
    }
  });
});
