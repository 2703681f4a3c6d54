import { existsSync } from 'node:fs';
import { ConfigError, DEFAULT_FALLBACK_MESSAGE, DEFAULT_GRAPH_API_VERSION, type Config } from './types.js';
import { CLOUD_VARIABLES, variables, type Parsed, type Variables } from './variables.js';

export { ConfigError, DEFAULT_FALLBACK_MESSAGE, DEFAULT_GRAPH_API_VERSION, type Config } from './types.js';

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
    cluster: values.DATABASE_URL ? { databaseUrl: values.DATABASE_URL } : null,
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
