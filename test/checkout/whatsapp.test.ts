/**
 * A customer buys on WhatsApp (whatsapp-web.js's fake client, no buttons a linked device can
 * send): the choices are numbered lines, the customer answers with the number or the words.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startShop, stockOf, type ShopStack } from './stack.js';

let stack: ShopStack;
beforeAll(async () => {
  stack = await startShop({ whatsapp: true });
  const channel = stack.app.channels.find((candidate) => candidate.name === 'whatsapp')!;
  await vi.waitFor(() => expect(channel.status().state).toBe('ready'), { timeout: 5000 });
});
afterAll(async () => {
  await stack?.close();
});

async function write(chat: string, text: string): Promise<string> {
  const whatsapp = stack.whatsapp!;
  const before = whatsapp.texts(chat).length;
  whatsapp.customerWrites(chat, text);
  await vi.waitFor(() => expect(whatsapp.texts(chat).length).toBeGreaterThan(before), { timeout: 5000, interval: 20 });
  return whatsapp.texts(chat).at(-1)!;
}

describe('the guided checkout on WhatsApp, with numbered choices', () => {
  it('takes a whole order answered by numbers and words', async () => {
    const chat = '2250701020304@c.us';
    const before = await stockOf(stack, 'robe-cocktail-bordeaux', 'L');
    const list = await write(chat, 'Bonsoir, je cherche une robe pour un mariage');
    expect(list).toContain('*1.* Robe Cocktail Bordeaux\n*2.* Robe Longue Dentelle\n_Répondez avec le numéro de votre choix._');

    const sizes = await write(chat, '1');
    expect(sizes).toContain('Quelle taille vous faut-il ? Disponible en : S, M, L.');
    expect(sizes).toContain('*1.* S\n*2.* M\n*3.* L\n*4.* ❌ Annuler');
    expect(await write(chat, '3')).toContain('✅ Robe Cocktail Bordeaux (L) : 45 000 FCFA');
    expect(await write(chat, 'Adjoua Konan')).toContain('Merci Adjoua ! Quel est votre numéro de téléphone');
    const zones = await write(chat, '+225 07 08 09 10 11');
    expect(zones).toContain('Dans quelle commune faut-il livrer ?');
    expect(zones).toContain('*6.* Marcory (2 000 FCFA)');
    const summary = await write(chat, 'Yopougon');
    expect(summary).toContain('Total : 48 000 FCFA');
    expect(summary).toContain('*1.* ✅ Confirmer\n*2.* ✏️ Modifier\n*3.* ❌ Annuler');

    const confirmation = await write(chat, '1');
    expect(confirmation).toMatch(/^✅ Votre commande n°\d+ est enregistrée !/);
    expect(await stockOf(stack, 'robe-cocktail-bordeaux', 'L')).toBe(before - 1);
    const [order] = await stack.store.real.listCustomerOrders('whatsapp', chat);
    expect(order).toMatchObject({ customerName: 'Adjoua Konan', phone: '+2250708091011', zone: { name: 'Yopougon' } });
  });

  it('refuses a number that is not among the choices by asking again, and cancels by number', async () => {
    const chat = '2250505060708@c.us';
    await write(chat, 'je prends la chemise en lin blanche');
    const again = await write(chat, '9');
    expect(again).toContain("Je n'ai pas compris la taille 🙂");
    expect(again).toContain('*1.* S\n*2.* M\n*3.* ❌ Annuler');
    expect(await write(chat, '3')).toContain("C'est annulé : rien n'a été commandé");
  });
});
