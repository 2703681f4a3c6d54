import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lastUserText, type ChatCompletionRequestBody, type FakeReply } from '../support/fake-openai.js';
import { startLeakyProxy, type LeakyProxy } from './leaky-proxy.js';
import { lastMessage, leakyStoreError, OWNER_CHAT_ID, PHONE, SECRETS, startSecureStack, toolCall, type SecureStack } from './support.js';

const CUSTOMER = 7777;

/** Every JSON line the app logged, at debug level. */
function captureLogs(): { destination: Writable; text(): string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { destination, text: () => chunks.join('') };
}

function shopModel(body: ChatCompletionRequestBody): FakeReply {
  const last = lastMessage(body);
  if (last.role === 'tool') {
    const result = JSON.parse(String(last.content)) as Record<string, unknown>;
    if (result.order_number) return `Commande enregistrée n°${String(result.order_number)}, total ${String(result.total_text)}`;
    if (result.reference) return `Commande bien reçue (réf. ${String(result.reference)})`;
    return `Résultat : ${String(last.content).slice(0, 100)}`;
  }
  const text = lastUserText(body);
  const phone = /(\+?[\d ]{10,})/.exec(text)?.[1]?.trim();
  if (phone) {
    return toolCall('place_order', {
      customer_name: 'Awa Koné',
      phone,
      zone: 'Marcory',
      items: [{ product: 'robe-cocktail-bordeaux', size: 'M', quantity: /deux/.test(text) ? 2 : 1 }],
    });
  }
  return 'Bonjour ! Comment puis-je vous aider ?';
}

describe('no secret and no phone number in the logs', () => {
  const logs = captureLogs();
  let proxy: LeakyProxy;
  let stack: SecureStack;
  beforeAll(async () => {
    proxy = await startLeakyProxy();
    stack = await startSecureStack({ destination: logs.destination, env: { OPENAI_BASE_URL: `${proxy.url}/v1` } });
    proxy.target = stack.openai.url;
  });
  afterAll(async () => {
    await stack.close();
    await proxy.close();
  });

  it('a realistic session with an order, a database outage, a leaky provider error and a Telegram failure', async () => {
    const { telegram, openai, spy, app, waitForTexts } = stack;
    openai.setReply(shopModel);

    telegram.pushMessage(CUSTOMER, 'Bonjour');
    await waitForTexts(CUSTOMER, 1);

    telegram.pushMessage(CUSTOMER, `Je confirme : Awa Koné, ${PHONE.spaced}, Marcory`);
    expect((await waitForTexts(CUSTOMER, 2))[1]).toMatch(/^Commande enregistrée n°\d+, total 47 000 FCFA$/);
    await telegram.waitFor((call) => call.method === 'sendMessage' && String(call.params.chat_id) === String(OWNER_CHAT_ID));

    // The database goes down with an error that echoes its key and the last customer's number.
    spy.failure = leakyStoreError();
    telegram.pushMessage(CUSTOMER, `Et deux de plus pour ma sœur : ${PHONE.local}`);
    expect((await waitForTexts(CUSTOMER, 3))[2]).toMatch(/^Commande bien reçue/);
    await app.orders.flush();
    spy.failure = undefined;
    await app.orders.flush();
    expect(await app.orders.waiting()).toBe(0);

    // The provider fails with a message holding the key, the bot token, the Supabase key and the phone.
    proxy.leak = `Invalid request from key ${SECRETS.openaiKey} for bot ${SECRETS.botToken} (supabase ${SECRETS.supabaseKey}), customer ${PHONE.e164} / ${PHONE.spaced} / ${PHONE.local}`;
    telegram.pushMessage(CUSTOMER, 'Pouvez-vous me conseiller pour ce soir ?');
    await vi.waitFor(() => expect(logs.text()).toContain('no answer for this turn'), { timeout: 5000 });
    await waitForTexts(CUSTOMER, 5);
    proxy.leak = undefined;

    // Telegram refuses a reply with a description that names the number.
    telegram.failNext('sendMessage', { status: 400, description: `Bad Request: chat ${PHONE.international} not found` });
    telegram.pushMessage(CUSTOMER, 'Merci');
    await vi.waitFor(() => expect(logs.text()).toContain('"msg":"message handled"'));
    await new Promise((resolve) => setTimeout(resolve, 300));

    const logged = logs.text();
    // Not a vacuous pass: the failures were logged, with their secrets scrubbed.
    expect(logged).toContain('order kept in the queue');
    expect(logged).toContain('the model provider answered 400');
    expect(logged).toContain('[redacted]');
    for (const secret of Object.values(SECRETS)) expect(logged).not.toContain(secret);
    for (const format of Object.values(PHONE)) expect(logged).not.toContain(format);
    expect(logged).not.toContain('FAKE_security-test-token-000000000000'); // the token's secret half alone
  });
});
