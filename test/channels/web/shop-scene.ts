import type { Hono } from 'hono';
import { createEngine, type Engine } from '../../../src/core/engine.js';
import { createMemoryHistoryStore } from '../../../src/durable/history.js';
import { createLogger } from '../../../src/infra/logger.js';
import { createMetrics } from '../../../src/infra/metrics.js';
import type { Responder } from '../../../src/core/responder.js';
import { frenchTexts } from '../../../src/core/texts.js';
import { sleep } from '../../../src/core/timing.js';

export const FALLBACK = 'Désolé, je réfléchis trop. Un petit instant... 🤔';
export const PHOTO_PATH = '/test-photos/robe-wax.svg';

/** How the scripted shop answers, by what the customer wrote. */
export const answers = {
  wax: 'Oui ! Notre robe wax évasée plaît beaucoup pour les mariages. Elle existe en S, M, L et XL. Toute la collection : https://www.mode-ivoire.ci/robes',
  yopougon:
    'La XL est disponible 👍 Livraison à Yopougon : 1 500 FCFA, sous 24 h. Voulez-vous que je la réserve à votre nom ?',
  photoCaption: 'Robe wax évasée · 25 000 FCFA',
} as const;

/** Answers like the shop would: slowly (past the deadline) when Yopougon is asked about. */
function shopResponder(slowMs: number, photoUrl: () => string): Responder {
  return {
    description: 'scripted shop',
    async reply(request) {
      const said = request.history.at(-1)?.content ?? '';
      if (/yopougon/i.test(said)) {
        await sleep(slowMs, request.signal);
        return { text: answers.yopougon };
      }
      if (/wax/i.test(said)) return { text: answers.wax, photos: [{ url: photoUrl(), caption: answers.photoCaption }] };
      return { text: `Réponse : ${said}` };
    },
  };
}

/**
 * The real engine with a scripted shop and short deadlines: the fallback goes out after
 * `replyDeadlineMs`, the slow answer comes `slowMs` after the question.
 */
export function createShopEngine(options: { slowMs?: number; photoUrl: () => string }): Engine {
  return createEngine({
    responder: shopResponder(options.slowMs ?? 1500, options.photoUrl),
    history: createMemoryHistoryStore(),
    metrics: createMetrics({ defaults: false }),
    logger: createLogger({ level: 'silent' }),
    texts: frenchTexts(FALLBACK),
    deadlines: { replyMs: 500, lateAnswerMs: 6000, typingRefreshMs: 400 },
  });
}

/** Serves a product photo (a drawn wax dress) from the bot's own origin, as the page's CSP allows. */
export function addPhotoRoute(app: Hono): void {
  app.get(PHOTO_PATH, (c) => c.body(ROBE_WAX_SVG, 200, { 'content-type': 'image/svg+xml' }));
}

const ROBE_WAX_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300">
<defs>
  <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#f7e7cf"/><stop offset="1" stop-color="#eccfa6"/></linearGradient>
  <pattern id="wax" width="36" height="36" patternUnits="userSpaceOnUse">
    <rect width="36" height="36" fill="#0f5b45"/>
    <circle cx="18" cy="18" r="11" fill="#e8862a"/><circle cx="18" cy="18" r="5" fill="#f6d365"/>
    <circle cx="0" cy="0" r="6" fill="#f6d365"/><circle cx="36" cy="36" r="6" fill="#f6d365"/>
  </pattern>
</defs>
<rect width="400" height="300" fill="url(#bg)"/>
<path d="M170 40 q30 18 60 0 l14 44 q-6 10 -4 22 l64 170 H96 l64 -170 q2 -12 -4 -22z" fill="url(#wax)" stroke="#0b4536" stroke-width="3"/>
<path d="M156 106 h88" stroke="#f6d365" stroke-width="8"/>
</svg>`;
