import { it } from 'vitest';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import { createCatalogue } from '../../src/shop/catalogue.js';
import { createLogger } from '../../src/infra/logger.js';
import { createOrderDesk } from '../../src/shop/orders.js';
import { createFileQueue } from '../../src/durable/queue.js';
import { createCheckout, createMemoryCheckoutStore, answerWithoutModel } from '../../src/shop/checkout/index.js';
import { DEMO_SHOP } from '../../src/shop/config.js';

it('talks', async () => {
  const store = await createEmbeddedStore({ dataDir: 'memory://' });
  const logger = createLogger({ level: 'silent' });
  const catalogue = createCatalogue({ store, logger });
  await catalogue.refresh();
  const orders = createOrderDesk({ store, outbox: createFileQueue('/tmp/co14/outbox'), logger, events: { recorded: async () => undefined, rejectedLater: async () => undefined } });
  const checkout = createCheckout({ checkouts: createMemoryCheckoutStore(), shop: DEMO_SHOP, store, orders, catalogue, logger });
  const customer = { channel: 'web', chatId: 'v1', name: 'Awa' };
  const say = async (text: string, action?: string) => {
    const r = await answerWithoutModel({ checkout, catalogue, shop: DEMO_SHOP }, { conversationKey: 'web:v1', customer, text, ...(action && { action }) });
    console.log(`> ${text}${action ? ` [${action}]` : ''}\n${r?.text ?? 'null'}\n${(r?.buttons ?? []).map((b) => `[${b.label}|${b.id}]`).join(' ')}\n`);
    return r;
  };
  for (const t of (process.env.SAY ?? '').split('|')) {
    if (t.startsWith('#')) { await say('Confirmer', t.slice(1)); continue; }
    if (t.startsWith('@')) { const st = await checkout.peek('web:v1'); const b = st!.choices.find((c) => c.label.includes(t.slice(1))); await say(b!.label, b!.id); }
    else await say(t);
  }
  await store.close();
});
