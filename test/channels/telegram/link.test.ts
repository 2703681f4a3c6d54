import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../../channels/telegram/index.js';
import { createLogger } from '../../../src/infra/logger.js';
import { startFakeTelegram, type FakeTelegram } from '../../support/fake-telegram.js';

describe('Telegram: a message with a URL button (a payment link)', () => {
  let telegram: FakeTelegram;
  beforeAll(async () => {
    telegram = await startFakeTelegram();
  });
  afterAll(() => telegram.close());

  it('sends the text with an inline keyboard URL button, under the last piece of a long text', async () => {
    const channel = createTelegramChannel({ token: telegram.token, apiRoot: telegram.url, logger: createLogger({ level: 'silent' }) });
    const link = { label: 'Payer 47 000 FCFA', url: 'https://pay.wave.com/c/cos-1042' };
    await channel.sendLink('5555', '💳 Commande n°1042 : 47 000 FCFA à régler.', link);
    await channel.sendLink('6666', `${'a'.repeat(4000)}\n\n${'b'.repeat(200)}`, link);
    const [first] = telegram.sent(5555);
    expect(first!.params).toMatchObject({ chat_id: 5555, text: '💳 Commande n°1042 : 47 000 FCFA à régler.', reply_markup: { inline_keyboard: [[{ text: 'Payer 47 000 FCFA', url: 'https://pay.wave.com/c/cos-1042' }]] } });
    const long = telegram.sent(6666);
    expect(long).toHaveLength(2);
    expect(long[0]!.params.reply_markup).toBeUndefined();
    expect(long[1]!.params).toMatchObject({ text: 'b'.repeat(200), reply_markup: { inline_keyboard: [[{ text: link.label, url: link.url }]] } });
  });
});
