/**
 * Mobile money through the real bot: a customer orders on Telegram, the web chat or WhatsApp,
 * gets the total and a pay button (or link), pays at the fake Wave or CinetPay, and hears
 * "Paiement reçu ✅" once on their own channel, while the owner hears it once on Telegram.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastUserText, type ChatCompletionRequestBody, type FakeReply } from './support/fake-openai.js';
import { startPaymentsStack, type ChannelName, type PaymentsStack, type ShopMessage } from './support/payments-stack.js';

const CHANNELS: readonly ChannelName[] = ['telegram', 'web', 'whatsapp'];

function toolCall(name: string, args: Record<string, unknown>): FakeReply {
  return { tool_calls: [{ id: `call_${name}_${Math.random().toString(36).slice(2, 8)}`, type: 'function', function: { name, arguments: JSON.stringify(args) } }] };
}

/** A model that orders and checks payments with the shop's tools, and words only what they return. */
function shopModel(body: ChatCompletionRequestBody): FakeReply {
  const last = body.messages.at(-1)!;
  if (last.role === 'tool') {
    const result = JSON.parse(String(last.content)) as Record<string, unknown>;
    if (typeof result.message === 'string') return result.message;
    if (result.order_number) {
      const mode = String((result.payment as { mode?: string } | undefined)?.mode ?? '');
      const payment = mode.endsWith('envoyé') ? 'Payez avec le lien ci-dessus, ou à la livraison.' : mode === 'lien à venir' ? 'Le lien de paiement arrive.' : 'Paiement à la livraison.';
      return `Commande ${String(result.status)} n°${String(result.order_number)}, total ${String(result.total_text)} 🎉 ${payment}`;
    }
    return `Résultat : ${String(last.content).slice(0, 80)}`;
  }
  const text = lastUserText(body);
  if (/je confirme/i.test(text)) {
    return toolCall('place_order', { customer_name: 'Awa Koné', phone: '07 08 09 10 11', zone: 'Marcory', items: [{ product: 'robe-cocktail-bordeaux', size: 'M' }] });
  }
  if (/payé/i.test(text)) return toolCall('check_payment', {});
  return 'Bonjour ! Comment puis-je vous aider ?';
}

const hasLink = (message: ShopMessage) => message.link !== undefined || /https:\/\/(pay\.wave\.com|checkout\.cinetpay\.com)\//.test(message.text);
const paidNews = (message: ShopMessage) => message.text.startsWith('Paiement reçu ✅');
const linkUrl = (message: ShopMessage) => message.link?.url ?? /https:\S+/.exec(message.text)![0];

const latest = <T>(values: Iterable<T>): T => [...values].at(-1)!;

const ORDER_MESSAGE = 'Je confirme : Awa Koné, 07 08 09 10 11, Marcory';

/** One bot per configuration, shared by the tests that need it (starting one is the slow part). */
function withStack(options: Parameters<typeof startPaymentsStack>[0]): () => PaymentsStack {
  let stack: PaymentsStack | undefined;
  beforeAll(async () => {
    stack = await startPaymentsStack(options);
    stack.openai.setReply(shopModel);
  });
  afterAll(() => stack?.close());
  return () => stack!;
}

async function payEveryChannel(s: PaymentsStack, provider: 'wave' | 'cinetpay'): Promise<void> {
  for (const channel of CHANNELS) {
    const chatId = await s.newChat(channel);
    await s.says(channel, chatId, ORDER_MESSAGE);
    const messages = await s.waitFor(channel, chatId, (m) => m.text.startsWith('Commande enregistrée'));
    const link = messages.find(hasLink)!;
    const order = /n°(\d+)/.exec(link.text)![1]!;
    expect(link.text).toContain(`Commande n°${order} : 47 000 FCFA à régler.`);
    expect(messages.indexOf(link)).toBeLessThan(messages.findIndex((m) => m.text.startsWith('Commande enregistrée')));
    expect(messages.at(-1)!.text).toBe(`Commande enregistrée n°${order}, total 47 000 FCFA 🎉 Payez avec le lien ci-dessus, ou à la livraison.`);
    // Telegram and the web chat show a button; WhatsApp, the address in the text.
    if (channel === 'whatsapp') expect(link.link).toBeUndefined();
    else expect(link.link).toMatchObject({ label: 'Payer 47 000 FCFA' });

    if (provider === 'wave') {
      const session = [...s.wave.sessions.values()].find((candidate) => candidate.wave_launch_url === linkUrl(link))!;
      expect(session.amount).toBe('47000');
      await s.wave.pay(session.id);
      expect(s.wave.deliveries.at(-1)).toMatchObject({ type: 'checkout.session.completed', status: 200 });
    } else {
      const transaction = [...s.cinetpay.transactions.values()].find((candidate) => linkUrl(link).endsWith(candidate.token))!;
      expect(transaction.amount).toBe(47_000);
      await s.cinetpay.pay(transaction.transactionId);
      expect(s.cinetpay.notifications.at(-1)).toBe(200);
    }
    const after = await s.waitFor(channel, chatId, paidNews);
    expect(after.filter(paidNews).map((m) => m.text)).toEqual([`Paiement reçu ✅ — 47 000 FCFA, commande n°${order}. Merci ! Nous préparons votre livraison.`]);
    await expect.poll(() => s.ownerTexts().filter((text) => text.includes(`Paiement reçu — commande n°${order}`)).length).toBe(1);
  }
  const orders = await s.app.store.listRecentOrders(3);
  expect(orders.map((o) => o.payment?.status)).toEqual(['paid', 'paid', 'paid']);
}

describe('Wave through the real bot, with the model', () => {
  const stack = withStack({ provider: 'wave' });

  it('an order on every channel gets its link; paid (webhook), the customer and the owner are told once', async () => {
    await payEveryChannel(stack(), 'wave');
  });

  it('restart with payments pending: Wave redelivers while the bot is down, the restarted bot settles it', async () => {
    const s = stack();
    const chatId = await s.newChat('telegram');
    await s.says('telegram', chatId, ORDER_MESSAGE);
    await s.waitFor('telegram', chatId, (m) => m.text.startsWith('Commande enregistrée'));
    const owner = s.ownerTexts().length;
    await s.stop();
    const session = latest(s.wave.sessions.values());
    await s.wave.pay(session.id, { webhook: false });
    const eventId = 'AE_ci_redelivered';
    expect(await s.wave.sendEvent('checkout.session.completed', session.id, { eventId, retries: 1 })).toBe(502);
    await s.start();
    expect(await s.wave.sendEvent('checkout.session.completed', session.id, { eventId })).toBe(200);
    const messages = await s.waitFor('telegram', chatId, paidNews);
    expect(messages.filter(paidNews)).toHaveLength(1);
    await expect.poll(() => s.ownerTexts().slice(owner).filter((text) => text.startsWith('💰 Paiement reçu')).length).toBe(1);
  });
});

describe('CinetPay through the real bot, with the model, WhatsApp by the Cloud API', () => {
  const stack = withStack({ provider: 'cinetpay', whatsapp: 'cloud' });

  it('an order on every channel gets its link; paid (notification), the customer and the owner are told once', async () => {
    await payEveryChannel(stack(), 'cinetpay');
  });

  it('"j\'ai payé" goes through check_payment, with the customer taken from the chat', async () => {
    const s = stack();
    const chatId = await s.newChat('web');
    await s.says('web', chatId, ORDER_MESSAGE);
    await s.waitFor('web', chatId, (m) => m.text.startsWith('Commande enregistrée'));
    const transaction = latest(s.cinetpay.transactions.values());
    await s.cinetpay.pay(transaction.transactionId, { notify: false }); // sent once, and lost
    await s.says('web', chatId, "J'ai payé avec Orange Money");
    const messages = await s.waitFor('web', chatId, (m) => m.text.startsWith("C'est bien reçu ✅"));
    expect(messages.filter(paidNews)).toHaveLength(1);
    const tools = s.openai.requests.flatMap((request) => request.body.messages.filter((m) => m.role === 'tool').map((m) => String(m.content)));
    expect(tools.some((content) => content.includes('"status":"paid"'))).toBe(true);
  });
});

describe('Wave through the real bot, without a model', () => {
  const stack = withStack({ provider: 'wave', model: false });

  it('an order from another flow gets its link; "j\'ai payé" checks Wave at once', async () => {
    const s = stack();
    const chatId = await s.newChat('telegram');
    // A guided checkout (no model) records orders through the same desk.
    const outcome = await s.app.orders.place({
      idempotencyKey: 'guided-1',
      channel: 'telegram',
      chatId,
      customerName: 'Awa Koné',
      phone: '+2250708091011',
      zone: 'Marcory',
      lines: [{ productId: 'robe-cocktail-bordeaux', size: 'M', quantity: 1 }],
    });
    expect(outcome.status).toBe('recorded');
    const [link] = await s.waitFor('telegram', chatId, hasLink);
    expect(link!.link).toMatchObject({ label: 'Payer 47 000 FCFA' });

    await s.says('telegram', chatId, "C'est bon, j'ai payé par Wave");
    const early = await s.waitFor('telegram', chatId, (m) => m.text.startsWith('Je ne vois pas encore'));
    expect(early.at(-1)!.text).toMatch(/^Je ne vois pas encore votre paiement de 47 000 FCFA pour la commande n°\d+ chez Wave\./);

    await s.wave.pay(latest(s.wave.sessions.values()).id, { webhook: false }); // the webhook is lost
    await s.says('telegram', chatId, "Voilà j'ai payé");
    const messages = await s.waitFor('telegram', chatId, (m) => m.text.startsWith("C'est bien reçu ✅"));
    expect(messages.filter(paidNews)).toHaveLength(1);
    expect(messages.findIndex(paidNews)).toBeLessThan(messages.findIndex((m) => m.text.startsWith("C'est bien reçu")));
    await expect.poll(() => s.ownerTexts().filter((text) => text.startsWith('💰 Paiement reçu')).length).toBe(1);
    expect(s.openai.requests).toHaveLength(0);
  });
});

describe('Wave through the real bot, checks and retries in milliseconds', () => {
  const stack = withStack({ provider: 'wave', timing: { firstCheckAfterMs: 200, linkRetryMs: 100, pollEveryMs: 50 } });

  it('webhook lost: the poller finds the payment', async () => {
    const s = stack();
    const chatId = await s.newChat('whatsapp');
    await s.says('whatsapp', chatId, ORDER_MESSAGE);
    await s.waitFor('whatsapp', chatId, hasLink);
    await s.wave.pay(latest(s.wave.sessions.values()).id, { webhook: false });
    const messages = await s.waitFor('whatsapp', chatId, paidNews);
    expect(messages.filter(paidNews)).toHaveLength(1);
    expect(s.wave.deliveries).toHaveLength(0);
  });

  it('Wave down when the order is placed: the customer is told the link follows, and it does', async () => {
    const s = stack();
    const sessions = s.wave.sessions.size;
    s.wave.failNext('create', { status: 503 });
    const chatId = await s.newChat('telegram');
    await s.says('telegram', chatId, ORDER_MESSAGE);
    const first = await s.waitFor('telegram', chatId, (m) => m.text.startsWith('Commande enregistrée'));
    expect(first.map((m) => m.text)).toEqual([
      expect.stringMatching(/^💳 Le lien pour payer la commande n°\d+ \(47 000 FCFA\) arrive ici dans quelques minutes\./),
      expect.stringMatching(/^Commande enregistrée n°\d+, total 47 000 FCFA 🎉 Le lien de paiement arrive\.$/),
    ]);
    const later = await s.waitFor('telegram', chatId, hasLink);
    expect(later.filter(hasLink)).toHaveLength(1);
    expect(s.wave.sessions.size).toBe(sessions + 1);
  });
});
