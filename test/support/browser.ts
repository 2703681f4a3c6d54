import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; playwright-core never downloads a browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether the browser tests can run here. */
export const hasChromium = existsSync(CHROMIUM_PATH);

/** Added to the name of a skipped browser suite, so the run says why it did not run. */
export const chromiumMissing = hasChromium ? '' : ` (skipped: no Chromium at ${CHROMIUM_PATH}; apt-get install chromium, or set CHROMIUM_PATH)`;

/**
 * Starts a headless Chromium for page tests, with the flags that keep it quiet and quick in a
 * container (no sandbox, no GPU, no background network).
 *
 * @example
 * const browser = await launchBrowser();
 * try { const page = await browser.newPage(); … } finally { await browser.close(); }
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
