import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../src/core/channel.js';
import { createDeliveries, type Delivery } from '../../src/durable/deliveries.js';
import { createFileQueue } from '../../src/durable/queue.js';
import { createLogger } from '../../src/infra/logger.js';

const LINK = { label: 'Payer 47 000 FCFA', url: 'https://pay.wave.com/c/cos-1' };

describe('deliveries with a link button', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function deliveriesFor(channel: Channel) {
    const dir = mkdtempSync(join(tmpdir(), 'akwaba-deliveries-'));
    dirs.push(dir);
    const queue = createFileQueue<Delivery>(dir);
    return { queue, deliveries: createDeliveries({ queue, channelOf: () => channel, logger: createLogger({ level: 'silent' }) }) };
  }

  it('uses the channel\'s button, or puts the address under the text where there is none', async () => {
    const sent: string[] = [];
    const withButtons: Channel = {
      name: 'telegram',
      sendText: async (_chat, text) => void sent.push(`text:${text}`),
      sendLink: async (_chat, text, link) => void sent.push(`link:${text}|${link.label}|${link.url}`),
    };
    const plain: Channel = { name: 'whatsapp', sendText: async (_chat, text) => void sent.push(`text:${text}`) };
    await deliveriesFor(withButtons).deliveries.send('a', { channel: 'telegram', chatId: '1', text: 'Commande n°1042', link: LINK });
    await deliveriesFor(plain).deliveries.send('b', { channel: 'whatsapp', chatId: '1', text: 'Commande n°1042', link: LINK });
    expect(sent).toEqual(['link:Commande n°1042|Payer 47 000 FCFA|https://pay.wave.com/c/cos-1', 'text:Commande n°1042\n👉 https://pay.wave.com/c/cos-1']);
  });

  it('hands a customer\'s message, button included, to the chat\'s way out', async () => {
    const said: unknown[] = [];
    const channel: Channel = { name: 'telegram', sendText: async () => undefined };
    const dir = mkdtempSync(join(tmpdir(), 'akwaba-deliveries-'));
    dirs.push(dir);
    const deliveries = createDeliveries({
      queue: createFileQueue<Delivery>(dir),
      channelOf: () => channel,
      sayToCustomer: async (_channel, chatId, text, link) => {
        said.push({ chatId, text, link });
        return true;
      },
      logger: createLogger({ level: 'silent' }),
    });
    await deliveries.send('c', { channel: 'telegram', chatId: '7', text: 'Commande n°1042', link: LINK, customer: true });
    expect(said).toEqual([{ chatId: '7', text: 'Commande n°1042', link: LINK }]);
  });

  it('sends the address as text when the platform refuses the button, and keeps the delivery when the channel is down', async () => {
    const sent: string[] = [];
    let down = false;
    const channel: Channel = {
      name: 'telegram',
      async sendText(_chat, text) {
        if (down) throw new Error('unreachable');
        sent.push(text);
      },
      async sendLink() {
        throw new Error('Bad Request: BUTTON_URL_INVALID');
      },
    };
    const { deliveries, queue } = deliveriesFor(channel);
    await deliveries.send('refused-button', { channel: 'telegram', chatId: '1', text: 'Commande n°1042', link: LINK });
    expect(sent).toEqual(['Commande n°1042\n👉 https://pay.wave.com/c/cos-1']);
    down = true;
    await deliveries.send('later', { channel: 'telegram', chatId: '1', text: 'Commande n°1043', link: LINK });
    expect((await queue.list()).map((item) => item.item)).toEqual([{ channel: 'telegram', chatId: '1', text: 'Commande n°1043', link: LINK }]);
    down = false;
    await deliveries.flush();
    expect(sent.at(-1)).toBe('Commande n°1043\n👉 https://pay.wave.com/c/cos-1');
    expect(await queue.list()).toEqual([]);
  });
});
