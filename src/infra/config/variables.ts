import { z } from 'zod';
import { DEFAULT_FALLBACK_MESSAGE, DEFAULT_GRAPH_API_VERSION } from './types.js';

/**
 * Every environment variable akwaba reads, with its schema and the hint shown when it is wrong
 * (`.env.example` documents each one; a test checks it does).
 */

/** The variables `WHATSAPP_MODE=cloud` needs, in the order they are asked for. */
export const CLOUD_VARIABLES = [
  'WHATSAPP_CLOUD_ACCESS_TOKEN',
  'WHATSAPP_CLOUD_PHONE_NUMBER_ID',
  'WHATSAPP_CLOUD_APP_SECRET',
  'WHATSAPP_CLOUD_VERIFY_TOKEN',
] as const;

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const wholeNumber = (fallback: number, min: number, max: number) =>
  z.preprocess(
    (value) => (value === undefined || value === '' ? fallback : Number(value)),
    z.number().int().min(min).max(max),
  );

const flag = z.preprocess(
  (value) => (value === undefined || value === '' ? 'false' : String(value).trim().toLowerCase()),
  z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((value) => ['true', '1', 'yes'].includes(value)),
);

const proxyCount = z.preprocess(
  (value) => {
    const text = value === undefined ? '' : String(value).trim().toLowerCase();
    if (['', 'false', 'no'].includes(text)) return 0;
    if (['true', 'yes'].includes(text)) return 1;
    return /^\d+$/.test(text) ? Number(text) : Number.NaN;
  },
  z.number().int().min(0).max(10),
);

/** `https://www.mode-ivoire.ci` as browsers send it in `Origin`; a trailing slash is forgiven. */
function toOrigin(text: string): string | undefined {
  try {
    const url = new URL(text);
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    return /^https?:$/.test(url.protocol) && bare ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

const originList = z.preprocess(
  (value) => (value === undefined ? [] : String(value).split(',').map((item) => item.trim()).filter((item) => item !== '')),
  z.array(
    z.string().transform((item, context) => {
      const origin = toOrigin(item);
      if (origin === undefined) context.addIssue({ code: 'custom', message: `${item} is not an origin` });
      return origin ?? item;
    }),
  ),
);

/** Each variable with the hint shown when it is wrong. */
export const variables = {
  TELEGRAM_BOT_TOKEN: {
    schema: optionalText.pipe(z.string().regex(/^\d+:[\w-]{20,}$/).optional()),
    hint: 'the token @BotFather gave you, like 123456789:AAE…; leave it empty to run without Telegram',
  },
  TELEGRAM_API_ROOT: {
    schema: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
    hint: 'the Bot API server URL, e.g. https://api.telegram.org (the default)',
  },
  TELEGRAM_ALLOW_GROUPS: { schema: flag, hint: 'true or false (default false: group chats are ignored)' },
  TELEGRAM_WEBHOOK_URL: {
    schema: optionalText.pipe(z.url({ protocol: /^https$/ }).optional()),
    hint: 'the public HTTPS address Telegram should send messages to, ending in a hard-to-guess path, like https://shop.example/telegram/3f9a1c7e (your reverse proxy forwards it to HTTP_PORT, same path); leave it empty to use long polling',
  },
  TELEGRAM_WEBHOOK_SECRET: {
    schema: optionalText.pipe(z.string().regex(/^[A-Za-z0-9_-]{16,256}$/).optional()),
    hint: 'a random secret of 16 to 256 letters, digits, _ or - (e.g. the output of: openssl rand -hex 32); Telegram sends it with every update and anything without it is refused',
  },
  OPENAI_API_KEY: {
    schema: optionalText,
    hint: 'your OpenAI API key (sk-…); leave it empty to run without a model',
  },
  OPENAI_BASE_URL: {
    schema: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
    hint: 'an OpenAI-compatible endpoint such as https://api.openai.com/v1, or leave it empty',
  },
  OPENAI_MODEL: { schema: optionalText, hint: 'a chat model name such as gpt-4o-mini' },
  OPENAI_TRANSCRIBE_MODEL: {
    schema: optionalText,
    hint: 'an audio transcription model name such as gpt-4o-mini-transcribe (the default), gpt-4o-transcribe or whisper-1',
  },
  VOICE_MAX_SECONDS: {
    schema: wholeNumber(120, 5, 1500),
    hint: 'a whole number of seconds between 5 and 1500, e.g. 120 (longer voice notes get a polite request for a shorter one)',
  },
  VOICE_KEEP_AUDIO: {
    schema: flag,
    hint: 'true to keep customers\' voice notes in DATA_DIR/voice after transcription, or false (the default: they are never written to disk)',
  },
  WHATSAPP_ENABLED: { schema: flag, hint: 'true to answer on WhatsApp (you will scan a QR code once), or false' },
  WHATSAPP_MODE: {
    schema: optionalText.pipe(z.enum(['web', 'cloud']).optional()),
    hint: 'web (WhatsApp Web in Chromium, a QR code to scan) or cloud (Meta\'s official Cloud API); leave it empty to follow WHATSAPP_ENABLED',
  },
  WHATSAPP_CLOUD_ACCESS_TOKEN: {
    schema: optionalText.pipe(z.string().regex(/^[A-Za-z0-9_.|-]{20,}$/).optional()),
    hint: 'the permanent access token of your Meta system user (Business settings → System users → Generate token), a long string starting with EAA',
  },
  WHATSAPP_CLOUD_PHONE_NUMBER_ID: {
    schema: optionalText.pipe(z.string().regex(/^\d{5,20}$/).optional()),
    hint: 'the Phone number ID shown in your Meta app (WhatsApp → API Setup), digits only like 106540352242922 (not the phone number itself)',
  },
  WHATSAPP_CLOUD_APP_SECRET: {
    schema: optionalText.pipe(z.string().regex(/^[A-Za-z0-9]{16,128}$/).optional()),
    hint: 'the App secret of your Meta app (App settings → Basic → App secret), 32 letters and digits',
  },
  WHATSAPP_CLOUD_VERIFY_TOKEN: {
    schema: optionalText.pipe(z.string().regex(/^[A-Za-z0-9_.~-]{16,256}$/).optional()),
    hint: 'a random string of 16 to 256 letters, digits, _ . ~ or - (e.g. the output of: openssl rand -hex 16), typed again as the Verify token in Meta\'s webhook settings',
  },
  WHATSAPP_CLOUD_API_ROOT: {
    schema: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
    hint: 'the Graph API server URL, https://graph.facebook.com (the default)',
  },
  WHATSAPP_CLOUD_API_VERSION: {
    schema: optionalText.pipe(z.string().regex(/^v\d{1,3}\.\d{1,2}$/).optional()),
    hint: `a Graph API version like ${DEFAULT_GRAPH_API_VERSION} (the default)`,
  },
  CHROMIUM_PATH: { schema: optionalText, hint: 'the path of the Chromium browser, e.g. /usr/bin/chromium' },
  WHATSAPP_ALLOW_GROUPS: { schema: flag, hint: 'true or false (default false: WhatsApp groups are ignored)' },
  WHATSAPP_BROWSER_RESTART_HOURS: {
    schema: wholeNumber(0, 0, 720),
    hint: 'a whole number of hours between 0 (never) and 720, e.g. 24',
  },
  WEB_CHAT_ALLOWED_ORIGINS: {
    schema: originList,
    hint: 'the addresses of the sites that may show the chat, comma-separated, like https://www.mode-ivoire.ci,https://mode-ivoire.ci; leave it empty to serve the chat only at the bot\'s own address',
  },
  WEB_CHAT_STREAMS_PER_ADDRESS: {
    schema: wholeNumber(20, 1, 10_000),
    hint: 'a whole number of chat pages open at once from one address, between 1 and 10000, e.g. 20',
  },
  WEB_CHAT_VISITORS_PER_ADDRESS_PER_HOUR: {
    schema: wholeNumber(30, 1, 100_000),
    hint: 'a whole number of new web chat visitors per hour from one address, between 1 and 100000, e.g. 30',
  },
  WEB_CHAT_MESSAGES_PER_ADDRESS_PER_MINUTE: {
    schema: wholeNumber(60, 1, 100_000),
    hint: 'a whole number of web chat messages per minute from one address, all its visitors together, between 1 and 100000, e.g. 60',
  },
  TRUST_PROXY: {
    schema: proxyCount,
    hint: 'false when customers reach the bot directly (the default), true when one reverse proxy (nginx, Caddy) forwards to it, or the number of proxies in front of it, e.g. 2 for Cloudflare then nginx',
  },
  METRICS_TOKEN: {
    schema: optionalText.pipe(z.string().min(16).optional()),
    hint: 'a long random secret of at least 16 characters (e.g. the output of: openssl rand -hex 24) that Prometheus sends as a bearer token; leave it empty to serve /metrics to this machine only',
  },
  ADMIN_TOKEN: {
    schema: optionalText.pipe(z.string().min(16).optional()),
    hint: 'a long random secret of at least 16 characters (e.g. the output of: openssl rand -hex 24)',
  },
  SUPABASE_URL: {
    schema: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
    hint: 'your project URL from Supabase (Project Settings → API), like https://abcd.supabase.co; leave it empty for the embedded database',
  },
  DATABASE_URL: {
    schema: optionalText.pipe(z.string().regex(/^postgres(?:ql)?:\/\/\S+$/).optional()),
    hint: "a direct Postgres connection string, like postgresql://postgres:password@db.abcd.supabase.co:5432/postgres (Supabase: the direct or session connection, port 5432, not the transaction pooler on 6543); it runs several instances on one database (docs/scale.md); leave it empty for one instance with its files in DATA_DIR",
  },
  SUPABASE_SERVICE_ROLE_KEY: {
    schema: optionalText,
    hint: 'the service_role key from Supabase (Project Settings → API)',
  },
  OWNER_TELEGRAM_CHAT_ID: {
    schema: optionalText.pipe(z.string().regex(/^-?\d{1,20}$/).optional()),
    hint: 'the numeric id of your Telegram chat with the bot (send /start to @userinfobot to learn it)',
  },
  SHOP_CONFIG: { schema: optionalText, hint: "the path of your shop's JSON file, e.g. ./shop.json" },
  PUBLIC_URL: {
    schema: optionalText.pipe(z.url({ protocol: /^https$/ }).optional()),
    hint: 'the public HTTPS address of the bot, like https://boutique.example (your reverse proxy forwards /payments/… to HTTP_PORT); payment providers notify it there',
  },
  WAVE_API_KEY: {
    schema: optionalText.pipe(z.string().min(16).optional()),
    hint: 'your Wave Business API key with the Checkout API (Business Portal → Développeurs → Clés API, like wave_ci_prod_…); leave it empty without Wave',
  },
  WAVE_WEBHOOK_SECRET: {
    schema: optionalText.pipe(z.string().min(8).optional()),
    hint: 'the shared secret of the webhook you registered in the Wave Business Portal (Développeurs → Webhooks), for https://YOUR-BOT/payments/wave/webhook',
  },
  WAVE_API_ROOT: {
    schema: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
    hint: 'the Wave API address, https://api.wave.com (the default)',
  },
  CINETPAY_API_KEY: {
    schema: optionalText.pipe(z.string().min(8).optional()),
    hint: 'your CinetPay API key (back office → Intégrations); leave it empty without CinetPay',
  },
  CINETPAY_SITE_ID: {
    schema: optionalText.pipe(z.string().regex(/^\d{1,20}$/).optional()),
    hint: 'your CinetPay site id, a number (back office → Intégrations)',
  },
  CINETPAY_SECRET_KEY: {
    schema: optionalText.pipe(z.string().min(8).optional()),
    hint: 'your CinetPay secret key (back office → Intégrations), which signs the notifications',
  },
  CINETPAY_API_ROOT: {
    schema: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
    hint: 'the CinetPay API address, https://api-checkout.cinetpay.com (the default)',
  },
  REPLY_DEADLINE_MS: {
    schema: wholeNumber(8000, 100, 120_000),
    hint: 'a whole number of milliseconds between 100 and 120000, e.g. 8000',
  },
  LATE_ANSWER_MS: {
    schema: wholeNumber(45_000, 0, 600_000),
    hint: 'a whole number of milliseconds between 0 and 600000, e.g. 45000',
  },
  JOURNAL_MAX_AGE_MS: {
    schema: wholeNumber(600_000, 0, 86_400_000),
    hint: 'a whole number of milliseconds between 0 and 86400000 (a day), e.g. 600000 (10 minutes): older messages left unanswered by a crash get a short apology at the next start instead of an answer',
  },
  MODEL_CONCURRENCY: {
    schema: wholeNumber(50, 1, 512),
    hint: 'a whole number of model calls at once between 1 and 512, e.g. 50',
  },
  MODEL_BREAKER_FAILURES: {
    schema: wholeNumber(5, 1, 100),
    hint: 'a whole number of conversations failing in a row between 1 and 100, e.g. 5',
  },
  MODEL_BREAKER_COOLDOWN_MS: {
    schema: wholeNumber(30_000, 1000, 600_000),
    hint: 'a whole number of milliseconds between 1000 and 600000, e.g. 30000',
  },
  STORE_TIMEOUT_MS: {
    schema: wholeNumber(5000, 100, 60_000),
    hint: 'a whole number of milliseconds between 100 and 60000, e.g. 5000',
  },
  CUSTOMER_MAX_MESSAGES_PER_MINUTE: {
    schema: wholeNumber(20, 1, 1000),
    hint: 'a whole number of messages between 1 and 1000, e.g. 20',
  },
  CUSTOMER_MAX_MESSAGE_CHARS: {
    schema: wholeNumber(5000, 100, 100_000),
    hint: 'a whole number of characters between 100 and 100000, e.g. 5000',
  },
  CHECKOUT_EXPIRE_HOURS: {
    schema: wholeNumber(24, 1, 720),
    hint: 'a whole number of hours between 1 and 720, e.g. 24: a purchase left this long is forgotten and the customer starts afresh',
  },
  CHECKOUT_ABANDONED_MINUTES: {
    schema: wholeNumber(60, 1, 10_080),
    hint: 'a whole number of minutes between 1 and 10080, e.g. 60: a purchase left this long shows as abandoned on the dashboard',
  },
  FALLBACK_MESSAGE: {
    schema: optionalText.pipe(z.string().max(500).optional()),
    hint: `a short sentence of at most 500 characters (default "${DEFAULT_FALLBACK_MESSAGE}")`,
  },
  DATA_DIR: { schema: optionalText, hint: 'a writable folder, e.g. ./data' },
  HTTP_PORT: { schema: wholeNumber(3000, 0, 65_535), hint: 'a TCP port number between 0 and 65535, e.g. 3000' },
  LOG_LEVEL: {
    schema: optionalText.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()),
    hint: 'one of fatal, error, warn, info, debug, trace, silent',
  },
} as const;

/** The variables' table. */
export type Variables = typeof variables;
/** Every variable as its schema reads it. */
export type Parsed = { [K in keyof Variables]: z.output<Variables[K]['schema']> };
