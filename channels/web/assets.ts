import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file the chat page loads, with a short hash of its content for cache busting. */
export interface WebAsset {
  readonly body: string;
  readonly contentType: string;
  readonly version: string;
}

/** The page, its style and script, and the embeddable widget, read once at start-up. */
export interface WebAssets {
  /** The chat page for this shop. */
  readonly page: string;
  /** `chat.css` and `chat.js`, by name. */
  readonly files: ReadonlyMap<string, WebAsset>;
  readonly widget: WebAsset;
}

const TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
};

/**
 * Reads `channels/web/assets/` (next to this module when run from the sources, or found from
 * the package root when run from `dist/`, where tsc copies no assets) and fills the page in.
 * A missing file throws at start-up rather than at the first visitor.
 */
export function loadWebAssets(page: { readonly shopName: string; readonly maxMessageChars: number }, dir = assetsDir()): WebAssets {
  const asset = (name: string): WebAsset => {
    const body = readFileSync(join(dir, name), 'utf8');
    const extension = name.slice(name.lastIndexOf('.') + 1);
    const version = createHash('sha256').update(body).digest('hex').slice(0, 10);
    return { body, contentType: TYPES[extension] ?? 'text/plain; charset=utf-8', version };
  };
  const files = new Map([
    ['chat.css', asset('chat.css')],
    ['chat.js', asset('chat.js')],
  ]);
  const values: Record<string, string> = {
    shopName: page.shopName,
    initials: initialsOf(page.shopName),
    maxMessageChars: String(page.maxMessageChars),
    cssVersion: files.get('chat.css')!.version,
    jsVersion: files.get('chat.js')!.version,
  };
  const template = readFileSync(join(dir, 'chat.html'), 'utf8');
  const html = template.replace(/\{\{(\w+)\}\}/g, (placeholder, key: string) =>
    key in values ? escapeHtml(values[key]!) : placeholder,
  );
  return { page: html, files, widget: asset('widget.js') };
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** "Mode Ivoire" → "MI": the shop's round badge in the header. */
function initialsOf(name: string): string {
  const words = name.split(/\s+/).filter((word) => /\p{L}|\p{N}/u.test(word));
  return words
    .slice(0, 2)
    .map((word) => [...word][0]!.toUpperCase())
    .join('');
}

function assetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'assets');
  if (existsSync(beside)) return beside;
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'channels', 'web', 'assets');
  }
  return beside;
}
