/** What the configuration is once read: its shape, its defaults, and its one error. */

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
  /**
   * Shared mode (`DATABASE_URL`): several instances on one Postgres share the journal, the
   * conversations and the work (docs/scale.md); `null`: one instance, its state in `dataDir`.
   */
  readonly cluster: { readonly databaseUrl: string } | null;
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
  /** The most model calls in flight at once; fewer while the provider pushes back (429s). Waiting calls go oldest first. */
  readonly modelConcurrency: number;
  /** Conversations failing in a row (5xx, dropped or hung calls; never 429s) that pause the model. */
  readonly modelBreakerFailures: number;
  /** How long the model stays paused before one call probes it again. */
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
