/**
 * A customer buys on Telegram with no model at all: the real grammY bot against the fake Bot
 * API (inline keyboards, callback queries), the embedded database, the order desk and its
 * queue, the owner’s notice.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ADMIN_TOKEN, OWNER_CHAT_ID, startShop, stockOf, type ShopStack } from './stack.js';

let stack: ShopStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The customer writes; resolves with the bot's next text. */
async function say(shop: ShopStack, chat: number, text: string): Promise<string> {
  const before = shop.telegram.texts(chat).length;
  shop.telegram.pushMessage(chat, text);
  return (await shop.telegram.waitForTexts(chat, before + 1)).at(-1)!;
}

/** The customer presses a button under the bot's last message; resolves with the next text. */
async function press(shop: ShopStack, chat: number, label: string, options?: { messageId?: number }): Promise<string> {
  const before = shop.telegram.texts(chat).length;
  const { queryId } = shop.telegram.pressButton(chat, label, options);
  const text = (await shop.telegram.waitForTexts(chat, before + 1)).at(-1)!;
  // The button stops spinning: its query was answered.
  await vi.waitFor(() => expect(shop.telegram.answeredQueries).toContain(queryId), { timeout: 3000 });
  return text;
}

const ownerNotices = (shop: ShopStack) => shop.telegram.texts(OWNER_CHAT_ID).filter((text) => text.startsWith('🛍️ Nouvelle commande'));

describe('the guided checkout on Telegram, with no model', () => {
  it('takes a whole order with buttons: article, size, name from the profile, phone, commune, confirmation', async () => {
    stack = await startShop();
    const chat = 7001;
    const before = await stockOf(stack, 'robe-cocktail-bordeaux', 'M');

    const list = await say(stack, chat, 'Bonjour, je cherche une robe pour un mariage');
    expect(list).toContain('Robe Cocktail Bordeaux - 45 000 FCFA');
    expect(stack.telegram.buttons(chat)).toEqual(['Robe Cocktail Bordeaux', 'Robe Longue Dentelle']);

    expect(await press(stack, chat, 'Robe Cocktail Bordeaux')).toContain('Quelle taille vous faut-il ? Disponible en : S, M, L.');
    expect(stack.telegram.buttons(chat)).toEqual(['S', 'M', 'L', '❌ Annuler']); // XL is sold out: not offered

    expect(await press(stack, chat, 'M')).toContain('quel est votre nom complet ?');
    expect(await press(stack, chat, '👤 Awa')).toContain('Merci Awa ! Quel est votre numéro de téléphone');
    expect(await say(stack, chat, '07 07 12 34 56')).toContain('Dans quelle commune faut-il livrer ?');
    expect(stack.telegram.buttons(chat)).toContain('Marcory (2 000 FCFA)');

    const summary = await press(stack, chat, 'Marcory (2 000 FCFA)');
    expect(summary).toContain('• Robe Cocktail Bordeaux (M) : 45 000 FCFA');
    expect(summary).toContain('Livraison Marcory (24–48 h) : 2 000 FCFA');
    expect(summary).toContain('Total : 47 000 FCFA');
    expect(summary).toContain('📞 +225 07 07 12 34 56');
    expect(stack.telegram.buttons(chat)).toEqual(['✅ Confirmer', '✏️ Modifier', '❌ Annuler']);

    const confirmation = await press(stack, chat, '✅ Confirmer');
    expect(confirmation).toMatch(/^✅ Votre commande n°\d+ est enregistrée !/);
    expect(confirmation).toContain('Total : 47 000 FCFA');
    expect(await stockOf(stack, 'robe-cocktail-bordeaux', 'M')).toBe(before - 1);
    const [order] = await stack.store.real.listCustomerOrders('telegram', String(chat));
    expect(order).toMatchObject({ customerName: 'Awa', phone: '+2250707123456', totalFcfa: 47_000, zone: { name: 'Marcory' } });
    await vi.waitFor(() => expect(ownerNotices(stack!)).toHaveLength(1));
    expect(ownerNotices(stack)[0]).toContain(`n°${order!.number}`);
  });

  it('reads the scenario in the customer’s own words, the details all in one message', async () => {
    stack = await startShop();
    const chat = 7002;
    const added = await say(stack, chat, 'La bordeaux en M me plaît !');
    expect(added).toContain('✅ Robe Cocktail Bordeaux (M) : 45 000 FCFA');
    const summary = await say(stack, chat, 'Awa Koné, 07 07 12 34 56, Marcory');
    expect(summary).toContain('👤 Awa Koné');
    expect(summary).toContain('Total : 47 000 FCFA');
    expect(await say(stack, chat, 'je confirme')).toMatch(/^✅ Votre commande n°\d+ est enregistrée !/);
    expect(await say(stack, chat, 'où en est ma commande ?')).toMatch(/^Commande n°\d+ du .+ : ⏳ reçue, en attente de confirmation/);
  });

  it('corrects a bad phone number, changes the commune and the phone from the summary, then cancels: nothing is ordered', async () => {
    stack = await startShop();
    const chat = 7003;
    const before = await stockOf(stack, 'robe-wax-evasee', 'M');
    await say(stack, chat, 'je prends la robe wax évasée en M');
    await say(stack, chat, 'Awa Koné');
    const correction = await say(stack, chat, '12345');
    expect(correction).toContain('Le numéro « 12345 » ne semble pas valide');
    expect(correction).toContain('par exemple 07 07 12 34 56');
    await say(stack, chat, '05 05 05 05 05');
    expect(await say(stack, chat, 'Yopougon')).toContain('Total : 28 000 FCFA');
    const moved = await say(stack, chat, 'plutôt Cocody');
    expect(moved).toContain('Livraison Cocody (24–48 h) : 2 500 FCFA');
    expect(moved).toContain('Total : 27 500 FCFA');
    expect(await say(stack, chat, 'modifier')).toBe('Que voulez-vous modifier ?');
    expect(await press(stack, chat, '📞 Téléphone')).toBe('Quel numéro faut-il appeler pour la livraison ?');
    expect(await say(stack, chat, '07 08 09 10 11')).toContain('📞 +225 07 08 09 10 11');
    expect(await press(stack, chat, '❌ Annuler')).toContain("C'est annulé : rien n'a été commandé");
    expect(await stack.store.real.listCustomerOrders('telegram', String(chat))).toEqual([]);
    expect(await stockOf(stack, 'robe-wax-evasee', 'M')).toBe(before);
  });

  it('refuses a sold-out size with the sizes left, and a stale button politely, changing nothing', async () => {
    stack = await startShop();
    const chat = 7004;
    const refused = await say(stack, chat, 'La robe bordeaux en XL, je la prends');
    expect(refused).toContain("Désolé, il n'y a plus de XL pour la Robe Cocktail Bordeaux 😔");
    expect(refused).toContain('Disponible en : S, M, L.');
    const sizesMessage = messageIdOf(stack, chat, 'Disponible en : S, M, L.');
    await say(stack, chat, 'L');
    await say(stack, chat, 'Awa Koné, 07 07 12 34 56, Marcory');
    // The size buttons of the earlier message are still on the customer's screen.
    const stale = await press(stack, chat, 'S', { messageId: sizesMessage });
    expect(stale).toMatch(/^Ce bouton date d'un message précédent 🙂 Voici où nous en sommes :/);
    expect(stale).toContain('• Robe Cocktail Bordeaux (L) : 45 000 FCFA');
    expect(stale).not.toContain('(S)');
  });

  it('with the database down at the confirmation, keeps the order and confirms it once the database is back', async () => {
    stack = await startShop();
    const chat = 7005;
    const before = await stockOf(stack, 'chemise-wax-homme', 'L');
    await say(stack, chat, 'je prends la chemise wax en L');
    await say(stack, chat, 'Kofi Yao, 07 08 09 10 11, Treichville');
    stack.store.down = true;
    const received = await say(stack, chat, 'oui');
    expect(received).toMatch(/^Merci ! Votre commande est bien reçue \(réf\. [0-9A-F]{8}\) 🙏/);
    expect(await stack.app.orders.waiting()).toBe(1);
    expect(await say(stack, chat, 'où en est ma commande ?')).toContain('est bien reçue ✅');

    stack.store.down = false;
    await stack.app.orders.flush();
    const confirmed = (await stack.telegram.waitForTexts(chat, 5)).at(-1)!;
    expect(confirmed).toMatch(/^✅ Votre commande n°\d+ est enregistrée !/);
    expect(confirmed).toContain('Total : 17 000 FCFA');
    expect(await stockOf(stack, 'chemise-wax-homme', 'L')).toBe(before - 1);
    await vi.waitFor(() => expect(ownerNotices(stack!)).toHaveLength(1));
  });

  it('shows the summary from the catalogue while the database is down, saying the total is to be confirmed', async () => {
    stack = await startShop();
    const chat = 7006;
    await say(stack, chat, 'je prends le foulard imprimé wax');
    stack.store.down = true;
    const summary = await say(stack, chat, 'Awa Koné, 07 07 12 34 56, Plateau');
    expect(summary).toContain('Total : 6 500 FCFA (prix du catalogue ; le total exact vous sera confirmé avec la commande)');
  });

  it('carries a purchase across a restart without asking again for what was given', async () => {
    stack = await startShop();
    const chat = 7007;
    await say(stack, chat, 'je prends le pantalon palazzo wax en S');
    expect(await say(stack, chat, 'Aya Kouassi')).toContain('Quel est votre numéro de téléphone');
    await stack.restart();
    expect(await say(stack, chat, '0505050505')).toContain('Dans quelle commune faut-il livrer ?');
    const summary = await say(stack, chat, 'Koumassi');
    expect(summary).toContain('👤 Aya Kouassi');
    expect(summary).toContain('• Pantalon Palazzo Wax (S) : 20 000 FCFA');
    expect(await say(stack, chat, 'oui')).toMatch(/^✅ Votre commande n°\d+ est enregistrée !/);
  });

  it('sells the last dress once when ten customers confirm it at the same moment; the others hear it is gone', async () => {
    stack = await startShop();
    const chats = Array.from({ length: 10 }, (_, index) => 7100 + index);
    expect(await stockOf(stack, 'robe-longue-dentelle', 'L')).toBe(1);
    await Promise.all(chats.map((chat) => say(stack!, chat, 'je prends la robe longue dentelle en L')));
    await Promise.all(chats.map((chat, index) => say(stack!, chat, `Cliente ${String.fromCharCode(65 + index)}bc, 07 07 12 34 ${String(10 + index)}, Cocody`)));
    for (const chat of chats) expect(stack.telegram.buttons(chat)).toEqual(['✅ Confirmer', '✏️ Modifier', '❌ Annuler']);

    const answers = await Promise.all(chats.map((chat) => press(stack!, chat, '✅ Confirmer')));
    const won = answers.filter((text) => /^✅ Votre commande n°\d+ est enregistrée !/.test(text));
    const lost = answers.filter((text) => text.startsWith('Oh non 😔 la Robe Longue Dentelle en L vient d’être vendue'));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    for (const text of lost) expect(text).toContain('Disponible en : M.');
    expect(await stockOf(stack, 'robe-longue-dentelle', 'L')).toBe(0);
    const orders = await stack.store.real.listRecentOrders(50);
    expect(orders.filter((order) => order.lines.some((line) => line.productName === 'Robe Longue Dentelle' && line.size === 'L'))).toHaveLength(1);
  });

  it('tells the customer when the owner confirms and delivers the order from the dashboard', async () => {
    stack = await startShop();
    const chat = 7008;
    await say(stack, chat, 'La bordeaux en S me plaît !');
    await say(stack, chat, 'Awa Koné, 07 07 12 34 56, Marcory');
    await say(stack, chat, 'oui');
    const [order] = await stack.store.real.listCustomerOrders('telegram', String(chat));
    const login = await stack.app.http.request(`http://localhost/admin?token=${ADMIN_TOKEN}`);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    // The dashboard's buttons post JSON from the page itself, with the owner's session.
    const setStatus = (status: string) =>
      stack!.app.http.request(`http://localhost/admin/orders/${order!.orderId}/status`, {
        method: 'POST',
        headers: { cookie, origin: 'http://localhost', 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
        body: JSON.stringify({ status }),
      });
    expect((await setStatus('confirmed')).status).toBe(200);
    const confirmed = (await stack.telegram.waitForTexts(chat, 4)).at(-1)!;
    expect(confirmed).toBe(`✅ Bonne nouvelle : votre commande n°${order!.number} est confirmée ! Livraison à Marcory (24–48 h). Total : 47 000 FCFA.`);
    expect(await say(stack, chat, 'où en est ma commande ?')).toContain('✅ confirmée, en préparation pour la livraison');
    await setStatus('delivered');
    expect((await stack.telegram.waitForTexts(chat, 6)).at(-1)).toBe(`📦 Votre commande n°${order!.number} est livrée. Merci pour votre confiance, à bientôt chez nous 🙏`);
  });
});

/** The id of the bot's message to `chat` whose text contains `part`. */
function messageIdOf(shop: ShopStack, chat: number, part: string): number {
  const call = shop.telegram.sent(chat).find((sent) => String(sent.params.text).includes(part));
  if (call?.messageId === undefined) throw new Error(`no message containing ${part}`);
  return call.messageId;
}
