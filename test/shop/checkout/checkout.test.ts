/**
 * The checkout as a unit, on the embedded database and files in a temporary folder: what
 * lasts (restart, torn file, expiry), what the database refuses between the summary and the
 * order, several articles, numbers typed, and the model's tools on the same cart.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFileQueue } from '../../../src/durable/queue.js';
import { createLogger } from '../../../src/infra/logger.js';
import { createCatalogue, type Catalogue } from '../../../src/shop/catalogue.js';
import { answerWithoutModel, CHECKOUTS_KEPT_MS, createCheckout, createFileCheckoutStore, keepCheckoutsTidy, type Checkout } from '../../../src/shop/checkout/index.js';
import { addToCart, placeForModel } from '../../../src/shop/checkout/tools.js';
import { DEMO_SHOP } from '../../../src/shop/config.js';
import { createOrderDesk, type OrderDesk } from '../../../src/shop/orders.js';
import { createEmbeddedStore } from '../../../src/store/embedded.js';
import type { Store } from '../../../src/store/types.js';

const logger = createLogger({ level: 'silent' });
let store: Store;
let catalogue: Catalogue;
let orders: OrderDesk;
let dir: string;
let clock = Date.parse('2026-12-10T10:00:00Z');

beforeAll(async () => {
  store = await createEmbeddedStore({ dataDir: 'memory://' });
  catalogue = createCatalogue({ store, logger });
  await catalogue.refresh();
  dir = mkdtempSync(join(tmpdir(), 'akwaba-checkout-unit-'));
  orders = createOrderDesk({ store, queue: createFileQueue(join(dir, 'queue')), logger, events: { recorded: async () => undefined, rejectedLater: async () => undefined } });
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function checkoutIn(folder: string): Checkout {
  return createCheckout({ checkouts: createFileCheckoutStore(join(dir, folder)), shop: DEMO_SHOP, store, orders, catalogue, logger, now: () => clock });
}

/** A customer of `checkout`: each call is one message, answered as with no model. */
function customer(checkout: Checkout, chatId: string) {
  const request = (text: string, action?: string) => ({ conversationKey: `web:${chatId}`, customer: { channel: 'web', chatId }, text, ...(action && { action }) });
  return {
    say: async (text: string) => (await answerWithoutModel({ checkout, catalogue, shop: DEMO_SHOP }, request(text)))?.text ?? null,
    reply: (text: string) => answerWithoutModel({ checkout, catalogue, shop: DEMO_SHOP }, request(text)),
  };
}

describe('what lasts', () => {
  it('resumes after a restart from the files, and keeps no chat id in their names', async () => {
    const awa = customer(checkoutIn('restart'), 'visiteur-restart-01');
    await awa.say('je prends la robe wax évasée en S');
    await awa.say('Awa Koné');
    const again = customer(checkoutIn('restart'), 'visiteur-restart-01');
    expect(await again.say('07 07 12 34 56')).toContain('Dans quelle commune faut-il livrer ?');
    const files = readdirSync(join(dir, 'restart'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{40}\.json$/);
  });

  it('forgets a purchase after a day without activity, not before', async () => {
    const checkout = checkoutIn('expiry');
    const kofi = customer(checkout, 'visiteur-expiry-01');
    await kofi.say('je prends la chemise wax en XL');
    clock += 23 * 3_600_000;
    expect(await kofi.say('Kofi Yao')).toContain('Quel est votre numéro de téléphone');
    clock += 25 * 3_600_000;
    expect(await kofi.reply('07 08 09 10 11')).toBeNull(); // nothing under way any more: not the checkout's
    expect((await checkout.peek('web:visiteur-expiry-01'))?.step).toBe('phone'); // left as it was, for the dashboard
  });

  it('removes the files of purchases untouched for a week, at start and then regularly, and keeps the others', async () => {
    const checkout = checkoutIn('tidy');
    await customer(checkout, 'visiteur-tidy-old-01').say('je prends le foulard imprimé wax');
    clock += 8 * 24 * 3_600_000;
    await customer(checkout, 'visiteur-tidy-new-01').say('je prends le foulard imprimé wax');
    const tidy = keepCheckoutsTidy(checkout, { keepMs: CHECKOUTS_KEPT_MS, logger });
    tidy.start();
    try {
      await vi.waitFor(() => expect(readdirSync(join(dir, 'tidy'))).toHaveLength(1));
    } finally {
      tidy.stop();
    }
    expect(await checkout.peek('web:visiteur-tidy-old-01')).toBeUndefined();
    expect((await checkout.peek('web:visiteur-tidy-new-01'))?.items).toHaveLength(1);
  });

  it('takes a torn file for a fresh start, not a crash', async () => {
    await customer(checkoutIn('torn'), 'visiteur-torn-0001').say('je prends le foulard imprimé wax');
    // Torn by a crash: the next start finds half a file.
    const [file] = readdirSync(join(dir, 'torn'));
    writeFileSync(join(dir, 'torn', file!), '{"version":1,"key":"web:visit');
    const ama = customer(checkoutIn('torn'), 'visiteur-torn-0001');
    expect(await ama.reply('Ama Yao')).toBeNull();
    expect(await ama.say('je prends le foulard imprimé wax')).toContain('✅ Foulard Imprimé Wax : 5 000 FCFA');
  });
});

describe('between the summary and the order', () => {
  it('tells the customer the article went meanwhile and asks for another, when the database refuses the cart', async () => {
    const checkout = checkoutIn('gone');
    const first = customer(checkout, 'visiteur-gone-00001');
    const second = customer(checkout, 'visiteur-gone-00002');
    expect(await first.say('je prends la jupe crayon kita en M')).toContain('✅ Jupe Crayon Kita (M)');
    await second.say('je prends la jupe crayon kita en M');
    await second.say('Fatou Bamba, 05 05 05 05 05, Plateau');
    expect(await second.say('oui')).toMatch(/^✅ Votre commande n°\d+ est enregistrée !/);
    const told = await first.say('Awa Koné, 07 07 12 34 56, Marcory');
    expect(told).toContain('Désolé, la Jupe Crayon Kita en M n’est plus disponible.');
    expect(told).toContain('Quel article souhaitez-vous ?');
  });

  it('keeps several articles, removes one from the cart menu, and sums them in the database', async () => {
    const checkout = checkoutIn('several');
    const awa = customer(checkout, 'visiteur-several-01');
    await awa.say('je prends le sac cabas en pagne wax');
    await awa.say('ajouter un article');
    await awa.say('2 jupes plissées moutarde en S');
    const summary = await awa.say('Awa Koné, 07 07 12 34 56, Marcory');
    expect(summary).toContain('• Sac Cabas en Pagne Wax : 12 000 FCFA');
    expect(summary).toContain('• Jupe Plissée Moutarde (S) × 2 : 34 000 FCFA');
    expect(summary).toContain('Total : 48 000 FCFA');
    await awa.say('modifier');
    const state = await checkout.peek('web:visiteur-several-01');
    const items = state!.choices.find((button) => button.label === '🛍️ Articles')!;
    const menu = await answerWithoutModel({ checkout, catalogue, shop: DEMO_SHOP }, { conversationKey: 'web:visiteur-several-01', customer: { channel: 'web', chatId: 'visiteur-several-01' }, text: items.label, action: items.id });
    expect(menu?.text).toContain('1. Sac Cabas en Pagne Wax\n2. Jupe Plissée Moutarde (S) × 2');
    expect(await awa.say('1')).toContain('Sac Cabas en Pagne Wax est retiré.');
    expect(await awa.say('3')).toContain('Total : 36 000 FCFA'); // 3: "✅ C’est bon" of the menu
  });

  it('reads a number against the choices just offered, and only those', async () => {
    const checkout = checkoutIn('numbers');
    const ama = customer(checkout, 'visiteur-numbers-01');
    await ama.say('je cherche une robe pour un mariage');
    expect(await ama.say('2')).toContain('La Robe Longue Dentelle : 75 000 FCFA.\nQuelle taille vous faut-il ? Disponible en : M, L.');
    expect(await ama.say('7')).toContain("Je n'ai pas compris la taille 🙂");
    expect(await ama.say('la dernière')).toContain('C\'est annulé'); // the last choice: ❌ Annuler
  });
});

describe("the model's tools on the same cart", () => {
  it('refuses a missing or sold-out size with the sizes left, and orders the same purchase once', async () => {
    const checkout = checkoutIn('tools');
    const who = { channel: 'web', chatId: 'visiteur-tools-0001' };
    expect(await checkout.update('web:visiteur-tools-0001', who, (turn) => addToCart(turn, { product: 'robe cocktail bordeaux' }))).toMatchObject({
      error: 'taille manquante : demande-la au client',
      sizes_in_stock: ['S', 'M', 'L'],
    });
    expect(await checkout.update('web:visiteur-tools-0001', who, (turn) => addToCart(turn, { product: 'robe cocktail bordeaux', size: 'XL' }))).toMatchObject({
      error: 'plus assez de stock en XL (reste 0)',
    });
    const order = { customer_name: 'Awa Koné', phone: '0707123456', zone: 'zone 4', items: [{ product: 'foulard imprimé wax', size: '', quantity: 2 }] };
    const first = await checkout.update('web:visiteur-tools-0001', who, (turn) => placeForModel(turn, order));
    const again = await checkout.update('web:visiteur-tools-0001', who, (turn) => placeForModel(turn, order));
    expect(first).toMatchObject({ outcome: { status: 'recorded', order: { duplicate: false, totalFcfa: 12_000, zone: { name: 'Marcory' } } } });
    expect(again).toMatchObject({ outcome: { status: 'recorded', order: { duplicate: true } } });
    expect((await store.listCustomerOrders('web', 'visiteur-tools-0001')).length).toBe(1);
  });
});
