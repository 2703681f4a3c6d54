import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_FALLBACK_MESSAGE, DEFAULT_GRAPH_API_VERSION, loadConfig, loadDotEnv } from '../../src/infra/config/index.js';

const TOKEN = '123456789:FAKE_test-token-not-a-real-one-0000';

/** Runs `loadConfig` and returns the `ConfigError` it throws; fails if it throws nothing or something else. */
function configErrorFor(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('runs with an empty environment on sensible defaults', () => {
    expect(loadConfig({})).toEqual({
      telegram: null,
      openai: null,
      voice: { transcribeModel: 'gpt-4o-mini-transcribe', maxSeconds: 120, keepAudio: false },
      whatsapp: null,
      whatsappCloud: null,
      webChat: { allowedOrigins: [], streamsPerAddress: 20, visitorsPerAddressPerHour: 30, messagesPerAddressPerMinute: 60 },
      trustProxy: 0,
      metricsToken: null,
      adminToken: null,
      supabase: null,
      cluster: null,
      ownerTelegramChatId: null,
      publicUrl: null,
      payments: null,
      shopConfigPath: null,
      replyDeadlineMs: 8000,
      lateAnswerMs: 45_000,
      journalMaxAgeMs: 600_000,
      modelConcurrency: 50,
      modelBreakerFailures: 5,
      modelBreakerCooldownMs: 30_000,
      storeTimeoutMs: 5000,
      customerMaxMessagesPerMinute: 20,
      customerMaxMessageChars: 5000,
      checkoutExpireMs: 86_400_000,
      checkoutAbandonedMs: 3_600_000,
      fallbackMessage: 'Désolé, je réfléchis trop. Un petit instant... 🤔',
      dataDir: './data',
      httpPort: 3000,
      logLevel: 'info',
    });
    expect(DEFAULT_FALLBACK_MESSAGE).toBe('Désolé, je réfléchis trop. Un petit instant... 🤔');
  });

  it('treats empty and blank values as unset', () => {
    const config = loadConfig({
      TELEGRAM_BOT_TOKEN: '',
      OPENAI_API_KEY: '  ',
      REPLY_DEADLINE_MS: '',
      HTTP_PORT: '',
      LOG_LEVEL: '',
      FALLBACK_MESSAGE: ' ',
      DATA_DIR: '',
    });

    expect(config).toMatchObject({
      telegram: null,
      openai: null,
      replyDeadlineMs: 8000,
      httpPort: 3000,
      logLevel: 'info',
      fallbackMessage: DEFAULT_FALLBACK_MESSAGE,
      dataDir: './data',
    });
  });

  it('enables Telegram with a token, on the official Bot API server and without groups by default', () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN }).telegram).toEqual({
      botToken: TOKEN,
      apiRoot: 'https://api.telegram.org',
      allowGroups: false,
      webhook: null,
    });
  });

  it('trims the token and strips trailing slashes from the API root', () => {
    const config = loadConfig({
      TELEGRAM_BOT_TOKEN: ` ${TOKEN}\n`,
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/',
      TELEGRAM_ALLOW_GROUPS: 'TRUE',
    });

    expect(config.telegram).toEqual({ botToken: TOKEN, apiRoot: 'http://127.0.0.1:8081', allowGroups: true, webhook: null });
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: 'https://tg.example.ci/api//' }).telegram?.apiRoot).toBe(
      'https://tg.example.ci/api',
    );
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('reads TELEGRAM_ALLOW_GROUPS=%s as %s', (value, expected) => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_ALLOW_GROUPS: value }).telegram?.allowGroups).toBe(expected);
  });

  it('enables OpenAI with a key, on the default model and endpoint', () => {
    expect(loadConfig({ OPENAI_API_KEY: 'sk-test-1234567890' }).openai).toEqual({
      apiKey: 'sk-test-1234567890',
      baseURL: undefined,
      model: 'gpt-4o-mini',
    });
  });

  it('reads every value that is set', () => {
    const config = loadConfig({
      TELEGRAM_BOT_TOKEN: TOKEN,
      OPENAI_API_KEY: 'sk-test-1234567890',
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
      OPENAI_MODEL: 'llama3.1',
      REPLY_DEADLINE_MS: '5000',
      LATE_ANSWER_MS: '0',
      FALLBACK_MESSAGE: 'Un instant, je regarde ça 🙏',
      DATA_DIR: '/var/lib/akwaba',
      HTTP_PORT: '8080',
      LOG_LEVEL: 'debug',
    });

    expect(config).toMatchObject({
      openai: { apiKey: 'sk-test-1234567890', baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.1' },
      replyDeadlineMs: 5000,
      lateAnswerMs: 0,
      fallbackMessage: 'Un instant, je regarde ça 🙏',
      dataDir: '/var/lib/akwaba',
      httpPort: 8080,
      logLevel: 'debug',
    });
  });

  it.each<[variable: string, value: string, hint: RegExp]>([
    ['REPLY_DEADLINE_MS', 'abc', /whole number of milliseconds/],
    ['REPLY_DEADLINE_MS', '-5', /whole number of milliseconds/],
    ['REPLY_DEADLINE_MS', '8000.5', /whole number of milliseconds/],
    ['LATE_ANSWER_MS', 'forever', /whole number of milliseconds/],
    ['HTTP_PORT', '70000', /port number between 0 and 65535/],
    ['HTTP_PORT', 'http', /port number between 0 and 65535/],
    ['LOG_LEVEL', 'loud', /fatal, error, warn, info, debug, trace, silent/],
    ['TELEGRAM_BOT_TOKEN', 'nope', /@BotFather/],
    ['TELEGRAM_API_ROOT', 'not a url', /https:\/\/api\.telegram\.org/],
    ['OPENAI_BASE_URL', 'ftp://x', /https:\/\/api\.openai\.com\/v1/],
    ['TELEGRAM_ALLOW_GROUPS', 'maybe', /true or false/],
    ['FALLBACK_MESSAGE', 'a'.repeat(501), /at most 500 characters/],
    ['CHECKOUT_EXPIRE_HOURS', '0', /whole number of hours between 1 and 720/],
    ['CHECKOUT_ABANDONED_MINUTES', 'une heure', /whole number of minutes between 1 and 10080/],
  ])('rejects %s=%s, naming the variable and saying what to put', (variable, value, hint) => {
    const error = configErrorFor({ TELEGRAM_BOT_TOKEN: TOKEN, [variable]: value });

    expect(error.variable).toBe(variable);
    expect(error.name).toBe('ConfigError');
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain(variable);
    expect(error.message).toMatch(/put /);
    expect(error.message).toMatch(hint);
  });

  it('does not repeat a rejected token in the error, since messages end up in logs', () => {
    const almostToken = '123456789:short-secret';

    expect(configErrorFor({ TELEGRAM_BOT_TOKEN: almostToken }).message).not.toContain('short-secret');
  });
});

describe('loadDotEnv', () => {
  const names = ['AKWABA_TEST_FROM_FILE', 'AKWABA_TEST_ALREADY_SET'] as const;
  let saved: Partial<Record<(typeof names)[number], string>>;
  let dir: string;

  beforeEach(() => {
    saved = {};
    for (const name of names) {
      if (process.env[name] !== undefined) saved[name] = process.env[name];
      delete process.env[name];
    }
    dir = mkdtempSync(join(tmpdir(), 'akwaba-env-'));
  });

  afterEach(() => {
    for (const name of names) {
      const value = saved[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the file without overriding a variable already set', () => {
    const path = join(dir, '.env');
    writeFileSync(path, '# akwaba\nAKWABA_TEST_FROM_FILE=from-file\nAKWABA_TEST_ALREADY_SET=from-file\n');
    process.env.AKWABA_TEST_ALREADY_SET = 'from-shell';

    loadDotEnv(path);

    expect(process.env.AKWABA_TEST_FROM_FILE).toBe('from-file');
    expect(process.env.AKWABA_TEST_ALREADY_SET).toBe('from-shell');
  });

  it('does nothing when the file does not exist', () => {
    expect(() => loadDotEnv(join(dir, 'missing.env'))).not.toThrow();
    expect(process.env.AKWABA_TEST_FROM_FILE).toBeUndefined();
  });
});

describe('loadConfig: shop, database and owner', () => {
  it('reads Supabase, the owner chat and the shop file', () => {
    const config = loadConfig({
      SUPABASE_URL: 'https://abcd.supabase.co',
      SUPABASE_SERVICE_ROLE_KEY: 'service-role-key',
      OWNER_TELEGRAM_CHAT_ID: '-1001234567',
      SHOP_CONFIG: './shop.json',
    });
    expect(config.supabase).toEqual({ url: 'https://abcd.supabase.co', serviceRoleKey: 'service-role-key' });
    expect(config.ownerTelegramChatId).toBe('-1001234567');
    expect(config.shopConfigPath).toBe('./shop.json');
  });

  it('asks for the service role key when only SUPABASE_URL is set', () => {
    expect(() => loadConfig({ SUPABASE_URL: 'https://abcd.supabase.co' })).toThrow(
      /^SUPABASE_SERVICE_ROLE_KEY is missing: put the service_role key from Supabase \(Project Settings → API\)/,
    );
  });

  it('refuses an owner chat id that is not a number', () => {
    expect(() => loadConfig({ OWNER_TELEGRAM_CHAT_ID: '@awa' })).toThrow(/^OWNER_TELEGRAM_CHAT_ID is not valid: put the numeric id/);
  });
});

describe('loadConfig: Telegram webhook and the journal', () => {
  const SECRET = '0123456789abcdef0123456789abcdef';

  it('switches Telegram to a webhook when the URL and its secret are set', () => {
    const config = loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: 'https://shop.example/telegram/3f9a1c', TELEGRAM_WEBHOOK_SECRET: SECRET });
    expect(config.telegram?.webhook).toEqual({ url: 'https://shop.example/telegram/3f9a1c', secret: SECRET });
  });

  it('asks for the secret when only the webhook URL is set', () => {
    expect(configErrorFor({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: 'https://shop.example/telegram/3f9a1c' })).toMatchObject({
      variable: 'TELEGRAM_WEBHOOK_SECRET',
      message: expect.stringMatching(/^TELEGRAM_WEBHOOK_SECRET is missing: put a random secret of 16 to 256 .*\(needed because TELEGRAM_WEBHOOK_URL is set\)\.$/),
    });
  });

  it.each([
    ['TELEGRAM_WEBHOOK_URL', 'http://shop.example/telegram/3f9a1c', /^TELEGRAM_WEBHOOK_URL is not valid: put the public HTTPS address/],
    ['TELEGRAM_WEBHOOK_SECRET', 'short', /^TELEGRAM_WEBHOOK_SECRET is not valid: put a random secret of 16 to 256/],
    ['TELEGRAM_WEBHOOK_SECRET', 'has spaces in it, sixteen+', /^TELEGRAM_WEBHOOK_SECRET is not valid/],
    ['JOURNAL_MAX_AGE_MS', 'ten minutes', /^JOURNAL_MAX_AGE_MS is not valid: put a whole number of milliseconds between 0 and 86400000/],
  ])('refuses %s=%s', (variable, value, hint) => {
    expect(() => loadConfig({ TELEGRAM_WEBHOOK_SECRET: SECRET, [variable]: value })).toThrow(hint);
  });

  it('reads JOURNAL_MAX_AGE_MS', () => {
    expect(loadConfig({ JOURNAL_MAX_AGE_MS: '120000' }).journalMaxAgeMs).toBe(120_000);
  });
});

describe('loadConfig: WhatsApp and the admin token', () => {
  it('enables WhatsApp with the system Chromium when it exists', () => {
    const config = loadConfig({ WHATSAPP_ENABLED: 'true', CHROMIUM_PATH: process.execPath, WHATSAPP_BROWSER_RESTART_HOURS: '24' });
    expect(config.whatsapp).toEqual({ chromiumPath: process.execPath, allowGroups: false, browserRestartHours: 24 });
  });

  it('names CHROMIUM_PATH when WhatsApp is enabled and the browser is missing', () => {
    expect(() => loadConfig({ WHATSAPP_ENABLED: 'true', CHROMIUM_PATH: '/nowhere/chromium' })).toThrow(
      /^CHROMIUM_PATH: \/nowhere\/chromium does not exist: install Chromium \(apt-get install chromium\)/,
    );
  });

  it('reads TRUST_PROXY as a number of proxies: false/empty 0, true 1, or a count', () => {
    expect(loadConfig({}).trustProxy).toBe(0);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(0);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(() => loadConfig({ TRUST_PROXY: 'nginx' })).toThrow(/^TRUST_PROXY is not valid: put false when customers reach the bot directly/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/^METRICS_TOKEN is not valid/);
  });

  it('refuses a short admin token', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'secret' })).toThrow(/^ADMIN_TOKEN is not valid: put a long random secret of at least 16 characters/);
  });
});

describe('loadConfig: WhatsApp through the Cloud API', () => {
  const CLOUD = {
    WHATSAPP_MODE: 'cloud',
    WHATSAPP_CLOUD_ACCESS_TOKEN: `EAAG${'a1B2c3'.repeat(30)}`,
    WHATSAPP_CLOUD_PHONE_NUMBER_ID: '106540352242922',
    WHATSAPP_CLOUD_APP_SECRET: '4f1d2c3b4a5968778695a4b3c2d1e0f9',
    WHATSAPP_CLOUD_VERIFY_TOKEN: 'verify-token-3f9a1c7e',
  };

  it('turns the Cloud API channel on with its four values, on graph.facebook.com and a current version, without Chromium', () => {
    const config = loadConfig({ ...CLOUD, WHATSAPP_ENABLED: 'true', CHROMIUM_PATH: '/nowhere/chromium' });
    expect(config.whatsappCloud).toEqual({
      accessToken: CLOUD.WHATSAPP_CLOUD_ACCESS_TOKEN,
      phoneNumberId: '106540352242922',
      appSecret: CLOUD.WHATSAPP_CLOUD_APP_SECRET,
      verifyToken: 'verify-token-3f9a1c7e',
      apiRoot: 'https://graph.facebook.com',
      apiVersion: DEFAULT_GRAPH_API_VERSION,
    });
    expect(config.whatsapp).toBeNull();
    expect(DEFAULT_GRAPH_API_VERSION).toMatch(/^v\d+\.0$/);
  });

  it('reads the API root (without its trailing slash) and version', () => {
    const config = loadConfig({ ...CLOUD, WHATSAPP_CLOUD_API_ROOT: 'http://127.0.0.1:8080/', WHATSAPP_CLOUD_API_VERSION: 'v24.0' });
    expect(config.whatsappCloud).toMatchObject({ apiRoot: 'http://127.0.0.1:8080', apiVersion: 'v24.0' });
  });

  it.each(['WHATSAPP_CLOUD_ACCESS_TOKEN', 'WHATSAPP_CLOUD_PHONE_NUMBER_ID', 'WHATSAPP_CLOUD_APP_SECRET', 'WHATSAPP_CLOUD_VERIFY_TOKEN'])(
    'names %s when it is missing in cloud mode',
    (variable) => {
      const error = configErrorFor({ ...CLOUD, [variable]: '' });
      expect(error.variable).toBe(variable);
      expect(error.message).toMatch(new RegExp(`^${variable} is missing: put .+ \\(needed because WHATSAPP_MODE is cloud\\)\\.$`));
    },
  );

  it.each([
    ['WHATSAPP_MODE', 'business', /web .* or cloud/],
    ['WHATSAPP_CLOUD_PHONE_NUMBER_ID', '+225 07 00 00 00 01', /Phone number ID/],
    ['WHATSAPP_CLOUD_ACCESS_TOKEN', 'EAAG short', /permanent access token/],
    ['WHATSAPP_CLOUD_APP_SECRET', 'xyz!', /App secret/],
    ['WHATSAPP_CLOUD_VERIFY_TOKEN', 'short', /16 to 256/],
    ['WHATSAPP_CLOUD_API_ROOT', 'ftp://files.example', /Graph API server URL/],
    ['WHATSAPP_CLOUD_API_VERSION', 'latest', /v26\.0/],
  ])('refuses a malformed %s, naming it without repeating the value', (variable, value, hint) => {
    const error = configErrorFor({ ...CLOUD, [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(hint);
    expect(error.message).not.toContain(value);
  });

  it('ignores the Cloud API values when the mode is not cloud; WHATSAPP_MODE=web alone means WhatsApp Web', () => {
    const { WHATSAPP_MODE: _mode, ...values } = CLOUD;
    expect(loadConfig(values).whatsappCloud).toBeNull();
    const web = loadConfig({ ...values, WHATSAPP_MODE: 'web', CHROMIUM_PATH: process.execPath });
    expect(web.whatsapp).toMatchObject({ chromiumPath: process.execPath });
    expect(web.whatsappCloud).toBeNull();
    expect(() => loadConfig({ WHATSAPP_MODE: 'web', CHROMIUM_PATH: '/nowhere/chromium' })).toThrow(/needed because WHATSAPP_MODE is web/);
  });
});

describe('loadConfig: voice notes', () => {
  it('reads the transcription model, the longest note and whether audio is kept', () => {
    const config = loadConfig({ OPENAI_TRANSCRIBE_MODEL: 'gpt-4o-transcribe', VOICE_MAX_SECONDS: '90', VOICE_KEEP_AUDIO: 'true' });
    expect(config.voice).toEqual({ transcribeModel: 'gpt-4o-transcribe', maxSeconds: 90, keepAudio: true });
  });

  it.each<[variable: string, value: string, hint: RegExp]>([
    ['VOICE_MAX_SECONDS', '2', /whole number of seconds between 5 and 1500/],
    ['VOICE_MAX_SECONDS', 'two minutes', /whole number of seconds/],
    ['VOICE_KEEP_AUDIO', 'sometimes', /true to keep customers' voice notes/],
  ])('rejects %s=%s in one line naming it', (variable, value, hint) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable} is not valid: put .*${hint.source}`));
  });
});

describe('loadConfig: mobile money', () => {
  const WAVE = { WAVE_API_KEY: 'wave_ci_prod_abcdefghijklmnop', WAVE_WEBHOOK_SECRET: 'whsec-0123456789' };
  const CINETPAY = { CINETPAY_API_KEY: '12912847765bc0db748fdd44.40081707', CINETPAY_SITE_ID: '445160', CINETPAY_SECRET_KEY: 'cinetpay-secret-key' };

  it('enables Wave and CinetPay with all their variables and an HTTPS PUBLIC_URL', () => {
    const config = loadConfig({ ...WAVE, ...CINETPAY, PUBLIC_URL: 'https://boutique.mode-ivoire.ci/' });
    expect(config.publicUrl).toBe('https://boutique.mode-ivoire.ci');
    expect(config.payments).toEqual({
      wave: { apiKey: WAVE.WAVE_API_KEY, webhookSecret: WAVE.WAVE_WEBHOOK_SECRET, apiRoot: 'https://api.wave.com' },
      cinetpay: { apiKey: CINETPAY.CINETPAY_API_KEY, siteId: '445160', secretKey: 'cinetpay-secret-key', apiRoot: 'https://api-checkout.cinetpay.com' },
    });
    const local = loadConfig({ ...WAVE, PUBLIC_URL: 'https://x.example', WAVE_API_ROOT: 'http://127.0.0.1:9999/' });
    expect(local.payments).toEqual({ wave: { ...local.payments!.wave!, apiRoot: 'http://127.0.0.1:9999' }, cinetpay: null });
  });

  it('names the variable a provider still needs, in one line', () => {
    const missingSecret = configErrorFor({ WAVE_API_KEY: WAVE.WAVE_API_KEY, PUBLIC_URL: 'https://x.example' });
    expect(missingSecret.variable).toBe('WAVE_WEBHOOK_SECRET');
    expect(missingSecret.message).toMatch(/^WAVE_WEBHOOK_SECRET is missing: put the shared secret of the webhook .* \(needed because WAVE_API_KEY is set\)\.$/);
    expect(configErrorFor({ CINETPAY_API_KEY: CINETPAY.CINETPAY_API_KEY, CINETPAY_SECRET_KEY: 'cinetpay-secret-key', PUBLIC_URL: 'https://x.example' }).message).toMatch(
      /^CINETPAY_SITE_ID is missing: .* \(needed because CINETPAY_API_KEY and CINETPAY_SECRET_KEY are set\)\.$/,
    );
    const noUrl = configErrorFor({ ...CINETPAY });
    expect(noUrl.variable).toBe('PUBLIC_URL');
    expect(noUrl.message).toMatch(/^PUBLIC_URL is missing: put the public HTTPS address of the bot/);
    expect(noUrl.message).not.toContain('\n');
    expect(configErrorFor({ ...WAVE, PUBLIC_URL: 'http://boutique.example' }).message).toMatch(/^PUBLIC_URL is not valid: put the public HTTPS address/);
    expect(configErrorFor({ ...CINETPAY, CINETPAY_SITE_ID: 'site-445160', PUBLIC_URL: 'https://x.example' }).variable).toBe('CINETPAY_SITE_ID');
  });

  it('keeps cash on delivery alone without a provider, PUBLIC_URL or not', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://x.example' })).toMatchObject({ publicUrl: 'https://x.example', payments: null });
  });
});

describe('DATABASE_URL', () => {
  it('turns the shared mode on with a Postgres connection string, and names the variable when it is not one', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://postgres:pw@db.abcd.supabase.co:5432/postgres' }).cluster).toEqual({
      databaseUrl: 'postgresql://postgres:pw@db.abcd.supabase.co:5432/postgres',
    });
    expect(loadConfig({ DATABASE_URL: '' }).cluster).toBeNull();
    expect(() => loadConfig({ DATABASE_URL: 'https://abcd.supabase.co' })).toThrow(/DATABASE_URL/);
  });
});

describe('.env.example', () => {
  it('is a valid configuration as it stands, documenting every variable the bot reads', async () => {
    const { parseEnv } = await import('node:util');
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const env = parseEnv(text) as Record<string, string>;
    expect(() => loadConfig(env)).not.toThrow();
    const source = readFileSync(new URL('../../src/infra/config/variables.ts', import.meta.url), 'utf8');
    const read = [...source.matchAll(/^ {2}([A-Z][A-Z_]+): \{/gm)].map((match) => match[1]);
    expect(read.length).toBeGreaterThan(10);
    for (const name of read) expect(Object.keys(env)).toContain(name);
  });
});
