/** Where Debian and Ubuntu put the `chromium` package's browser. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** The Puppeteer launch options akwaba gives whatsapp-web.js (a subset of Puppeteer's `LaunchOptions`). */
export interface WhatsAppPuppeteerOptions {
  executablePath: string;
  headless: true;
  args: string[];
}

/**
 * How Chromium runs WhatsApp Web on a small VPS: the system browser, headless, as root (no
 * sandbox: Chromium refuses to start as root with it), without the background services of a
 * desktop browser that cost memory and bandwidth and do nothing for a bot.
 *
 * @param chromiumPath the browser binary, e.g. the `CHROMIUM_PATH` setting
 * @example
 * new Client({ authStrategy, puppeteer: whatsappPuppeteerOptions('/usr/bin/chromium') });
 */
export function whatsappPuppeteerOptions(chromiumPath: string = DEFAULT_CHROMIUM_PATH): WhatsAppPuppeteerOptions {
  return {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-setuid-sandbox',
      // /dev/shm is 64 MB in containers: Chromium would crash on large pages.
      '--disable-dev-shm-usage',
      '--disable-gpu',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
      '--disable-default-apps',
      '--disable-breakpad',
      '--disable-crash-reporter',
      '--metrics-recording-only',
      '--mute-audio',
      '--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication',
      // WhatsApp Web is a single tab: one renderer is enough.
      '--renderer-process-limit=1',
    ],
  };
}
