import { existsSync } from 'node:fs';
import { z } from 'zod';

/** The exact words of the scenario: humble, light, and instant. */
export const DEFAULT_FALLBACK_MESSAGE = 'Désolé, je réfléchis trop. Un petit instant... 🤔';

/** Everything akwaba reads from its environment, validated and typed. */
export interface Config {
  readonly telegram: {
    readonly botToken: string;
    readonly apiRoot: string;
    readonly allowGroups: boolean;
    /** Webhook mode (`TELEGRAM_WEBHOOK_URL`); `null` for long polling. */
    readonly webhook: { readonly url: string; readonly secret: string } | null;
  } | null;
  readonly openai: { readonly apiKey: string; readonly baseURL: string | undefined; readonly model: string } | null;
  /** Voice notes: heard through OpenAI's transcription (needs `openai`), within these limits. */
  readonly voice: {
    /** `OPENAI_TRANSCRIBE_MODEL`. */
    readonly transcribeModel: string;
    /** Longer notes get a polite request for a shorter one or a written message. */
    readonly maxSeconds: number;
    /** Keep the audio in `DATA_DIR/voice` after transcription (off: it never touches the disk). */
    readonly keepAudio: boolean;
  };
  /**
   * WhatsApp Web through the system Chromium (`WHATSAPP_MODE=web`, or `WHATSAPP_ENABLED=true`
   * with no mode); `null` otherwise.
   */
  readonly whatsapp: {
    readonly chromiumPath: string;
    readonly allowGroups: boolean;
    readonly browserRestartHours: number;
  } | null;
  /** WhatsApp through Meta's official Cloud API (`WHATSAPP_MODE=cloud`); `null` otherwise. */
  readonly whatsappCloud: {
    readonly accessToken: string;
    readonly phoneNumberId: string;
    readonly appSecret: string;
    readonly verifyToken: string;
    /** Without a trailing slash, e.g. `https://graph.facebook.com`. */
    readonly apiRoot: string;
    /** e.g. `v26.0`. */
    readonly apiVersion: string;
  } | null;
  /** The web chat (always on): sites that may embed it with `widget.js`, and what one address may do. */
  readonly webChat: {
    readonly allowedOrigins: readonly string[];
    /** Open chat pages (event streams) from one address at once. */
    readonly streamsPerAddress: number;
    /** New visitors (conversations) one address may start per hour. */
    readonly visitorsPerAddressPerHour: number;
    /** Messages one address may send per minute, all its visitors together. */
    readonly messagesPerAddressPerMinute: number;
  };
  /** Reverse proxies in front of the bot whose `X-Forwarded-For`/`-Proto` are believed (0: none). */
  readonly trustProxy: number;
  /** Opens `/metrics` to other machines as a bearer token; `null`: this machine only. */
  readonly metricsToken: string | null;
  /** Protects the owner's pages (`/admin`, the WhatsApp QR code); `null` keeps them closed. */
  readonly adminToken: string | null;
  /** Supabase in production; `null` means the embedded database in `dataDir`. */
  readonly supabase: { readonly url: string; readonly serviceRoleKey: string } | null;
  /** The Telegram chat where the owner is told of new orders. */
  readonly ownerTelegramChatId: string | null;
  /** The bot's public HTTPS address (`PUBLIC_URL`): payment providers notify it and send customers back to it. */
  readonly publicUrl: string | null;
  /** Mobile money; `null` when no provider is configured (cash on delivery only). Links are made with Wave when both are. */
  readonly payments: {
    readonly wave: { readonly apiKey: string; readonly webhookSecret: string; readonly apiRoot: string } | null;
    readonly cinetpay: { readonly apiKey: string; readonly siteId: string; readonly secretKey: string; readonly apiRoot: string } | null;
  } | null;
  /** Path of the shop's JSON file (name, hours, tone…); `null` for the demo shop. */
  readonly shopConfigPath: string | null;
  readonly replyDeadlineMs: number;
  readonly lateAnswerMs: number;
  /** A message left unanswered by a crash and older than this at the next start gets an apology instead of an answer. */
  readonly journalMaxAgeMs: number;
  /** Model calls in flight at once; more turns wait their turn, round-robin by chat. */
  readonly modelConcurrency: number;
  /** Failed model attempts in a row that pause the model. */
  readonly modelBreakerFailures: number;
  /** How long the model stays paused before one turn probes it again. */
  readonly modelBreakerCooldownMs: number;
  /** The longest any database call may take before it counts as "database down". */
  readonly storeTimeoutMs: number;
  /** Messages one chat may send per minute; past that, one polite line, then silence for a minute. */
  readonly customerMaxMessagesPerMinute: number;
  /** Longer customer messages are refused with a request for a shorter one. */
  readonly customerMaxMessageChars: number;
  /** A purchase untouched this long is forgotten: the customer starts afresh. */
  readonly checkoutExpireMs: number;
  /** A purchase untouched this long shows as abandoned on the dashboard. */
  readonly checkoutAbandonedMs: number;
  readonly fallbackMessage: string;
  readonly dataDir: string;
  readonly httpPort: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** The Graph API version the Cloud API channel calls unless `WHATSAPP_CLOUD_API_VERSION` says otherwise. */
export const DEFAULT_GRAPH_API_VERSION = 'v26.0';

/** The variables `WHATSAPP_MODE=cloud` needs, in the order they are asked for. */
const CLOUD_VARIABLES = [
  'WHATSAPP_CLOUD_ACCESS_TOKEN',
  'WHATSAPP_CLOUD_PHONE_NUMBER_ID',
  'WHATSAPP_CLOUD_APP_SECRET',
  'WHATSAPP_CLOUD_VERIFY_TOKEN',
] as const;

/** A configuration problem, worded for the person who has to fix `.env`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

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
const variables = {
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
    hint: 'a whole number of failed model attempts in a row between 1 and 100, e.g. 5',
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

type Variables = typeof variables;
type Parsed = { [K in keyof Variables]: z.output<Variables[K]['schema']> };

/**
 * Reads and validates the configuration once. Throws a {@link ConfigError} naming the first
 * wrong variable and what to put there.
 *
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = {} as Record<string, unknown>;
  for (const [name, { schema, hint }] of Object.entries(variables)) {
    const result = schema.safeParse(env[name]);
    if (!result.success) {
      throw new ConfigError(name, `${name} is not valid: put ${hint}.`);
    }
    parsed[name] = result.data;
  }
  const values = parsed as Parsed;
  if (values.SUPABASE_URL && !values.SUPABASE_SERVICE_ROLE_KEY) {
    throw new ConfigError(
      'SUPABASE_SERVICE_ROLE_KEY',
      `SUPABASE_SERVICE_ROLE_KEY is missing: put ${variables.SUPABASE_SERVICE_ROLE_KEY.hint} (needed because SUPABASE_URL is set).`,
    );
  }
  if (values.TELEGRAM_WEBHOOK_URL && !values.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError(
      'TELEGRAM_WEBHOOK_SECRET',
      `TELEGRAM_WEBHOOK_SECRET is missing: put ${variables.TELEGRAM_WEBHOOK_SECRET.hint} (needed because TELEGRAM_WEBHOOK_URL is set).`,
    );
  }
  const payments = paymentsConfig(values);
  // A mode turns WhatsApp on by itself; WHATSAPP_ENABLED=true alone keeps meaning WhatsApp Web.
  const whatsappMode = values.WHATSAPP_MODE ?? (values.WHATSAPP_ENABLED ? 'web' : undefined);
  const chromium = values.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (whatsappMode === 'web' && !existsSync(chromium)) {
    const because = values.WHATSAPP_MODE ? 'WHATSAPP_MODE is web' : 'WHATSAPP_ENABLED is true';
    throw new ConfigError(
      'CHROMIUM_PATH',
      `CHROMIUM_PATH: ${chromium} does not exist: install Chromium (apt-get install chromium) or put its path in CHROMIUM_PATH (needed because ${because}).`,
    );
  }
  if (whatsappMode === 'cloud') {
    const missing = CLOUD_VARIABLES.find((name) => !values[name]);
    if (missing) {
      throw new ConfigError(missing, `${missing} is missing: put ${variables[missing].hint} (needed because WHATSAPP_MODE is cloud).`);
    }
  }
  const botToken = values.TELEGRAM_BOT_TOKEN;
  const apiKey = values.OPENAI_API_KEY;
  return {
    telegram: botToken
      ? {
          botToken,
          apiRoot: (values.TELEGRAM_API_ROOT ?? 'https://api.telegram.org').replace(/\/+$/, ''),
          allowGroups: values.TELEGRAM_ALLOW_GROUPS,
          webhook:
            values.TELEGRAM_WEBHOOK_URL && values.TELEGRAM_WEBHOOK_SECRET
              ? { url: values.TELEGRAM_WEBHOOK_URL, secret: values.TELEGRAM_WEBHOOK_SECRET }
              : null,
        }
      : null,
    openai: apiKey ? { apiKey, baseURL: values.OPENAI_BASE_URL, model: values.OPENAI_MODEL ?? 'gpt-4o-mini' } : null,
    voice: {
      transcribeModel: values.OPENAI_TRANSCRIBE_MODEL ?? 'gpt-4o-mini-transcribe',
      maxSeconds: values.VOICE_MAX_SECONDS,
      keepAudio: values.VOICE_KEEP_AUDIO,
    },
    whatsapp:
      whatsappMode === 'web'
        ? {
            chromiumPath: chromium,
            allowGroups: values.WHATSAPP_ALLOW_GROUPS,
            browserRestartHours: values.WHATSAPP_BROWSER_RESTART_HOURS,
          }
        : null,
    whatsappCloud:
      whatsappMode === 'cloud'
        ? {
            accessToken: values.WHATSAPP_CLOUD_ACCESS_TOKEN!,
            phoneNumberId: values.WHATSAPP_CLOUD_PHONE_NUMBER_ID!,
            appSecret: values.WHATSAPP_CLOUD_APP_SECRET!,
            verifyToken: values.WHATSAPP_CLOUD_VERIFY_TOKEN!,
            apiRoot: (values.WHATSAPP_CLOUD_API_ROOT ?? 'https://graph.facebook.com').replace(/\/+$/, ''),
            apiVersion: values.WHATSAPP_CLOUD_API_VERSION ?? DEFAULT_GRAPH_API_VERSION,
          }
        : null,
    webChat: {
      allowedOrigins: values.WEB_CHAT_ALLOWED_ORIGINS,
      streamsPerAddress: values.WEB_CHAT_STREAMS_PER_ADDRESS,
      visitorsPerAddressPerHour: values.WEB_CHAT_VISITORS_PER_ADDRESS_PER_HOUR,
      messagesPerAddressPerMinute: values.WEB_CHAT_MESSAGES_PER_ADDRESS_PER_MINUTE,
    },
    trustProxy: values.TRUST_PROXY,
    metricsToken: values.METRICS_TOKEN ?? null,
    adminToken: values.ADMIN_TOKEN ?? null,
    supabase:
      values.SUPABASE_URL && values.SUPABASE_SERVICE_ROLE_KEY
        ? { url: values.SUPABASE_URL, serviceRoleKey: values.SUPABASE_SERVICE_ROLE_KEY }
        : null,
    ownerTelegramChatId: values.OWNER_TELEGRAM_CHAT_ID ?? null,
    publicUrl: values.PUBLIC_URL?.replace(/\/+$/, '') ?? null,
    payments,
    shopConfigPath: values.SHOP_CONFIG ?? null,
    replyDeadlineMs: values.REPLY_DEADLINE_MS,
    lateAnswerMs: values.LATE_ANSWER_MS,
    journalMaxAgeMs: values.JOURNAL_MAX_AGE_MS,
    modelConcurrency: values.MODEL_CONCURRENCY,
    modelBreakerFailures: values.MODEL_BREAKER_FAILURES,
    modelBreakerCooldownMs: values.MODEL_BREAKER_COOLDOWN_MS,
    storeTimeoutMs: values.STORE_TIMEOUT_MS,
    customerMaxMessagesPerMinute: values.CUSTOMER_MAX_MESSAGES_PER_MINUTE,
    customerMaxMessageChars: values.CUSTOMER_MAX_MESSAGE_CHARS,
    checkoutExpireMs: values.CHECKOUT_EXPIRE_HOURS * 3_600_000,
    checkoutAbandonedMs: values.CHECKOUT_ABANDONED_MINUTES * 60_000,
    fallbackMessage: values.FALLBACK_MESSAGE ?? DEFAULT_FALLBACK_MESSAGE,
    dataDir: values.DATA_DIR ?? './data',
    httpPort: values.HTTP_PORT,
    logLevel: values.LOG_LEVEL ?? 'info',
  };
}

/** Each provider needs all its variables, and any provider needs `PUBLIC_URL`. */
function paymentsConfig(values: Parsed): Config['payments'] {
  const requireWith = (names: readonly (keyof Variables)[]) => {
    const given = names.filter((name) => values[name] !== undefined);
    const missing = names.find((name) => values[name] === undefined);
    if (given.length > 0 && missing) {
      throw new ConfigError(missing, `${missing} is missing: put ${variables[missing].hint} (needed because ${given.join(' and ')} ${given.length > 1 ? 'are' : 'is'} set).`);
    }
    return given.length === names.length;
  };
  const wave = requireWith(['WAVE_API_KEY', 'WAVE_WEBHOOK_SECRET'])
    ? { apiKey: values.WAVE_API_KEY!, webhookSecret: values.WAVE_WEBHOOK_SECRET!, apiRoot: (values.WAVE_API_ROOT ?? 'https://api.wave.com').replace(/\/+$/, '') }
    : null;
  const cinetpay = requireWith(['CINETPAY_API_KEY', 'CINETPAY_SITE_ID', 'CINETPAY_SECRET_KEY'])
    ? {
        apiKey: values.CINETPAY_API_KEY!,
        siteId: values.CINETPAY_SITE_ID!,
        secretKey: values.CINETPAY_SECRET_KEY!,
        apiRoot: (values.CINETPAY_API_ROOT ?? 'https://api-checkout.cinetpay.com').replace(/\/+$/, ''),
      }
    : null;
  if (!wave && !cinetpay) return null;
  if (!values.PUBLIC_URL) {
    const provider = wave ? 'WAVE_API_KEY' : 'CINETPAY_API_KEY';
    throw new ConfigError('PUBLIC_URL', `PUBLIC_URL is missing: put ${variables.PUBLIC_URL.hint} (needed because ${provider} is set).`);
  }
  return { wave, cinetpay };
}

/**
 * Loads `.env` from the working directory into `process.env` when the file exists, without
 * overriding variables already set (Node's own loader, no dependency).
 */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
