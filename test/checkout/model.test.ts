/**
 * A purchase moves between the model and the guided checkout: the real OpenAI SDK against
 * the fake, whose scripted model uses the cart tools the way a real one would; when it fails
 * for good (an invalid key answers 401: final), the checkout carries on from what is known.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lastUserText, type ChatCompletionRequestBody, type FakeReply } from '../support/fake-openai.js';
import { OWNER_CHAT_ID, startShop, type ShopStack } from './stack.js';

let stack: ShopStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

function toolCall(name: string, args: Record<string, unknown>): FakeReply {
  return { tool_calls: [{ id: `call_${name}_${Math.random().toString(36).slice(2, 8)}`, type: 'function', function: { name, arguments: JSON.stringify(args) } }] };
}

/** A model that keeps the cart with the tools and says only what they returned. */
function cartModel(body: ChatCompletionRequestBody): FakeReply {
  const last = body.messages.at(-1)!;
  if (last.role === 'tool') {
    const result = JSON.parse(String(last.content)) as Record<string, unknown>;
    if (result.error) return `Problème : ${String(result.error)}`;
    if (result.added) return `C'est noté : ${String(result.added)}. Quel est votre nom complet ?`;
    if (result.order_number) return `Commande ${String(result.status)} n°${String(result.order_number)}, total ${String(result.total_text)} 🎉`;
    if (result.cart) {
      const cart = result.cart as { items: unknown[]; missing: string[] };
      if (cart.missing.length === 0) return toolCall('place_order', {});
      return `Il manque : ${cart.missing.join(', ')}`;
    }
    return 'OK';
  }
  const text = lastUserText(body);
  if (/bordeaux/i.test(text)) return toolCall('add_to_cart', { product: 'robe cocktail bordeaux', size: 'M' });
  if (/,/.test(text)) {
    const [name, phone, zone] = text.split(',').map((part) => part.trim());
    return toolCall('set_delivery_details', { customer_name: name, phone, zone });
  }
  return 'Bonjour ! Comment puis-je vous aider ?';
}

async function say(shop: ShopStack, chat: number, text: string): Promise<string> {
  const before = shop.telegram.texts(chat).length;
  shop.telegram.pushMessage(chat, text);
  return (await shop.telegram.waitForTexts(chat, before + 1)).at(-1)!;
}

async function press(shop: ShopStack, chat: number, label: string): Promise<string> {
  const before = shop.telegram.texts(chat).length;
  shop.telegram.pressButton(chat, label);
  return (await shop.telegram.waitForTexts(chat, before + 1)).at(-1)!;
}

describe('a purchase between the model and the guided checkout', () => {
  it('the model starts it, fails for good mid-order, and the checkout finishes it from what was given', async () => {
    stack = await startShop({ openai: true });
    const chat = 7201;
    stack.openai.setReply(cartModel);
    expect(await say(stack, chat, 'La bordeaux en M me plaît !')).toBe("C'est noté : Robe Cocktail Bordeaux (M) × 1. Quel est votre nom complet ?");

    stack.openai.setDefault({ status: 401 }); // an invalid key: final, no retry, no waiting
    const asked = await say(stack, chat, 'Awa Koné');
    expect(asked).toContain('Merci Awa ! Quel est votre numéro de téléphone');
    expect(await say(stack, chat, '07 07 12 34 56')).toContain('Dans quelle commune faut-il livrer ?');
    const calls = stack.openai.requests.length;
    const summary = await press(stack, chat, 'Marcory (2 000 FCFA)');
    expect(summary).toContain('• Robe Cocktail Bordeaux (M) : 45 000 FCFA');
    expect(summary).toContain('Total : 47 000 FCFA');
    expect(await press(stack, chat, '✅ Confirmer')).toMatch(/^✅ Votre commande n°\d+ est enregistrée !/);
    // The checkout's own buttons were answered without calling the model.
    expect(stack.openai.requests.length).toBe(calls);
    await vi.waitFor(() => expect(stack!.telegram.texts(OWNER_CHAT_ID).some((text) => text.startsWith('🛍️ Nouvelle commande'))).toBe(true));
    // No fallback, no apology: every message had a real answer.
    expect(stack.telegram.texts(chat).some((text) => text.includes('réfléchis trop'))).toBe(false);
  });

  it('the checkout starts it while the model is down, and the model finishes it with the same cart', async () => {
    stack = await startShop({ openai: true });
    const chat = 7202;
    stack.openai.setDefault({ status: 401 });
    expect(await say(stack, chat, 'Je prends la jupe plissée moutarde en L')).toContain('✅ Jupe Plissée Moutarde (L) : 17 000 FCFA');

    stack.openai.setDefault(undefined);
    stack.openai.setReply((body) => {
      const last = body.messages.at(-1)!;
      if (last.role === 'tool') return cartModel(body);
      // The details are all the model is given: the cart already holds the skirt.
      const [name, phone, zone] = lastUserText(body).split(',').map((part) => part.trim());
      return toolCall('set_delivery_details', { customer_name: name, phone, zone });
    });
    const done = await say(stack, chat, 'Aya Kouassi, 05 05 05 05 05, Koumassi');
    expect(done).toMatch(/^Commande enregistrée n°\d+, total 19 000 FCFA 🎉$/);
    const [order] = await stack.store.real.listCustomerOrders('telegram', String(chat));
    expect(order?.lines).toEqual([expect.objectContaining({ productName: 'Jupe Plissée Moutarde', size: 'L', quantity: 1 })]);
    expect(order).toMatchObject({ customerName: 'Aya Kouassi', phone: '+2250505050505', zone: { name: 'Koumassi' } });
    // The model was never shown the phone number, only that one is known.
    const bodies = stack.openai.requests.map((request) => JSON.stringify(request.body.messages.filter((m) => m.role === 'tool')));
    for (const body of bodies) expect(body).not.toContain('2250505050505');
  });
});
