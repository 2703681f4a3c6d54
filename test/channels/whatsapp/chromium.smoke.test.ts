import { existsSync, readdirSync, readFileSync } from 'node:fs';
import puppeteer from 'puppeteer';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHROMIUM_PATH, whatsappPuppeteerOptions } from '../../../channels/whatsapp/index.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
const missing = !existsSync(chromiumPath);
if (missing) {
  console.warn(`chromium smoke test skipped: no browser at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
}

/** The browser process and all its children (renderer, GPU, utility…), from /proc. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** kB of `Rss` and `Pss` (shared pages divided among their users) of one process. */
function memoryOf(pid: number): { rss: number; pss: number } {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
    return { rss: field('Rss'), pss: field('Pss') };
  } catch {
    return { rss: 0, pss: 0 };
  }
}

describe('system Chromium with the WhatsApp options', () => {
  it.skipIf(missing)('starts headless, opens about:blank and closes', async () => {
    const browser = await puppeteer.launch(whatsappPuppeteerOptions(chromiumPath));
    try {
      const page = (await browser.pages())[0] ?? (await browser.newPage());
      await page.goto('about:blank');
      expect(await page.evaluate(() => 6 * 7)).toBe(42);
      expect(await browser.userAgent()).toContain('HeadlessChrome');
      const pid = browser.process()?.pid;
      if (pid !== undefined && existsSync('/proc/self/smaps_rollup')) {
        const tree = processTree(pid);
        const total = tree.map(memoryOf).reduce((sum, m) => ({ rss: sum.rss + m.rss, pss: sum.pss + m.pss }), { rss: 0, pss: 0 });
        const mb = (kb: number) => Math.round(kb / 1024);
        console.info(
          `chromium ${await browser.version()} on about:blank: ${tree.length} processes, ` +
            `browser process RSS ${mb(memoryOf(pid).rss)} MB, all processes RSS ${mb(total.rss)} MB (shared pages counted in each), PSS ${mb(total.pss)} MB`,
        );
      }
    } finally {
      await browser.close();
    }
  });
});
