import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { createLogger, displayUrl, scrubSecrets } from '../../src/infra/logger.js';

const BOT_TOKEN = '123456789:FAKE_test-token-not-a-real-one-0000';
const OPENAI_KEY = 'sk-proj-Xk3vQ9mL2pR7tW1yB8nC4dF6gH0jK5sA';
const SUPABASE_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6Im1vZGVpdm9pcmUiLCJyb2xlIjoic2VydmljZV9yb2xlIn0.' +
  'Zk9Xc2VydmljZV9yb2xlX3NpZ25hdHVyZV9mb3JfdGVzdHM';

/** Parts of a token or key that must not survive, even partly. */
const TOKEN_SECRET = BOT_TOKEN.split(':')[1] ?? '';

describe('scrubSecrets', () => {
  it.each([
    ['a bot token', `token ${BOT_TOKEN} refusé`, [TOKEN_SECRET]],
    ['a bot token inside a Bot API URL', `request to https://api.telegram.org/bot${BOT_TOKEN}/sendMessage failed`, [TOKEN_SECRET]],
    ['an OpenAI key', `401 Incorrect API key provided: ${OPENAI_KEY}.`, [OPENAI_KEY]],
    ['a Wave API key', 'Authorization: Bearer wave_ci_prod_YhUNb9dZ0xi4bA6fakeFAKE refusée', ['YhUNb9dZ0xi4bA6fakeFAKE']],
    ['a Supabase JWT', `apikey: ${SUPABASE_KEY}`, [SUPABASE_KEY.split('.')[2] ?? '', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9']],
    ['an Ivorian number with spaces', 'rappeler le +225 07 08 09 10 11 demain', ['07 08 09 10 11']],
    ['an Ivorian number without prefix', 'client 0708091011 en attente', ['0708091011']],
    ['an Ivorian number in international form', 'whatsapp:+2250708091011', ['2250708091011']],
    ['an Ivorian number with dots', 'tél. 07.08.09.10.11', ['07.08.09.10.11']],
  ])('removes %s', (_what, text, secrets) => {
    const scrubbed = scrubSecrets(text);

    expect(scrubbed).toContain('[redacted]');
    for (const secret of secrets) expect(scrubbed).not.toContain(secret);
  });

  it('keeps the words around what it removes', () => {
    expect(scrubSecrets('rappeler le 0708091011 demain')).toBe('rappeler le [redacted] demain');
    expect(scrubSecrets(`token ${BOT_TOKEN} refusé`)).toBe('token [redacted] refusé');
  });

  it.each([
    'Bonjour, je cherche une robe pour un mariage',
    'La robe Adjoua est à 45 000 FCFA, livraison 2 000 FCFA.',
    'Total : 125 000 FCFA pour 3 pagnes',
    'commande n° 4512, taille 42, 3 articles',
    'retry in 1500 ms after HTTP 429',
    'Ça coûte combien ? 😍🇨🇮',
  ])('leaves %j alone', (text) => {
    expect(scrubSecrets(text)).toBe(text);
  });
});

describe('createLogger', () => {
  function capture(): { lines: () => Record<string, unknown>[]; text: () => string; destination: Writable } {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    const text = () => chunks.join('');
    const lines = () =>
      text()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { lines, text, destination };
  }

  const secretsIn = (output: string) =>
    [BOT_TOKEN, TOKEN_SECRET, OPENAI_KEY, '2250708091011', '0708091011', '07 08 09 10 11', 'y-api-key', 'x-bot-token'].filter((secret) =>
      output.includes(secret),
    );

  it('writes one JSON line per call with no secrets, and keeps a chat id as it is', () => {
    const { lines, text, destination } = capture();
    const log = createLogger({ level: 'info', destination });
    const err = new Error(`Telegram rejected ${BOT_TOKEN} while writing to +2250708091011`);

    log.info(
      { token: 'x-bot-token', apiKey: 'y-api-key', phone: '+2250708091011', nested: { phone: '+225 07 08 09 10 11' }, chatId: '123456789' },
      'customer details',
    );
    log.error({ err, chatId: '123456789' }, 'send failed');
    log.warn(`OpenAI refused key ${OPENAI_KEY}`);

    const output = text();
    expect(secretsIn(output)).toEqual([]);
    const [details, failure, warning] = lines();
    expect(details).toMatchObject({
      level: 30,
      msg: 'customer details',
      chatId: '123456789',
      token: '[redacted]',
      apiKey: '[redacted]',
      phone: '[redacted]',
      nested: { phone: '[redacted]' },
    });
    expect(failure).toMatchObject({ level: 50, msg: 'send failed', chatId: '123456789', err: { type: 'Error' } });
    expect(warning).toMatchObject({ level: 40 });
    expect(warning?.msg).toContain('[redacted]');
  });

  it('scrubs the message pino takes from an error logged without a message of its own', () => {
    const { lines, text, destination } = capture();
    const log = createLogger({ level: 'info', destination });
    const err = new Error(`Telegram rejected ${BOT_TOKEN} while writing to 07 08 09 10 11`);

    log.error({ err });
    log.error(err);

    expect(secretsIn(text())).toEqual([]);
    expect(lines()).toHaveLength(2);
  });

  it('scrubs causes too', () => {
    const { text, destination } = capture();
    const log = createLogger({ level: 'info', destination });
    const cause = new Error(`Incorrect API key provided: ${OPENAI_KEY}`);

    log.error({ err: new Error('model call failed', { cause }) }, 'reply failed');

    expect(text()).toContain('model call failed');
    expect(secretsIn(text())).toEqual([]);
  });

  it('shows URLs without their user name and password, in messages and in fields', () => {
    const { text, destination } = capture();
    const log = createLogger({ level: 'info', destination });
    const url = 'http://akwaba:pr0xy-pa55@gateway.example:8080/v1';

    log.info({ model: `openai gpt-4o-mini at ${url}`, nested: { store: `supabase at ${url}` } }, `starting with ${url}`);
    log.error({ err: new TypeError(`Request cannot be constructed from a URL that includes credentials: ${url}`) }, 'model call failed');

    expect(text()).not.toContain('pr0xy-pa55');
    expect(text()).not.toContain('akwaba:');
    expect(text()).toContain('http://gateway.example:8080/v1');
    expect(displayUrl(`${url}?key=abc#x`)).toBe('http://gateway.example:8080/v1');
  });

  it('withholds the words of a provider’s error (they may echo the customer), keeps its status, code and type', () => {
    const { lines, text, destination } = capture();
    const log = createLogger({ level: 'info', destination });
    const echo = "Invalid value for 'messages[1].content': 'Je m’appelle Aya Konan, Cocody'";
    const provider = new OpenAI.BadRequestError(400, { message: echo, type: 'invalid_request_error', code: 'invalid_value' }, undefined, new Headers({ 'x-request-id': 'req_123' }));
    const wrapped = new Error(`the model provider answered 400: ${provider.message}`, { cause: provider });

    log.warn({ err: wrapped }, 'no answer for this turn');
    log.error(provider);

    expect(text()).not.toContain('Aya Konan');
    const [first, second] = lines();
    expect(first).toMatchObject({
      err: {
        message: 'the model provider answered 400: [provider message withheld]',
        cause: { status: 400, code: 'invalid_value', providerType: 'invalid_request_error', requestId: 'req_123' },
      },
    });
    expect(second?.msg).toBe('[provider message withheld]');
  });

  it('respects the level', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'warn', destination });

    log.info('hidden');
    log.warn('shown');

    expect(lines().map((line) => line.msg)).toEqual(['shown']);
  });
});
