import { createHash } from 'node:crypto';
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

const secretPatterns: readonly RegExp[] = [
  /(?<!\d)\d{6,12}:[A-Za-z0-9_-]{30,}/g, // Telegram bot tokens (also inside URLs: /bot<token>/)
  /\bsk-[A-Za-z0-9_-]{8,}\b/g, // OpenAI-style API keys
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g, // JWTs (Supabase keys)
  /\bsb_(?:secret|publishable)_[A-Za-z0-9_-]{10,}/g, // Supabase's newer API keys
  /\bEAA[A-Za-z0-9]{20,}/g, // Meta access tokens (WhatsApp Cloud API)
  /(?<![\w/])\+?\d(?:[ .-]?\d){7,14}(?![\w/])/g, // phone numbers, with or without separators
];

/**
 * Removes bot tokens, API keys and phone numbers from free text (error messages, stacks).
 * Keys whose values are identifiers (`chatId`, `messageId`) are never passed through it.
 */
export function scrubSecrets(text: string): string {
  return secretPatterns.reduce((scrubbed, pattern) => scrubbed.replace(pattern, '[redacted]'), text);
}

/**
 * A short stable stand-in for an identifier that may hold a phone number (WhatsApp chat ids
 * are phone numbers): the same chat always logs the same pseudonym, and the number never does.
 */
export function pseudonym(identifier: string): string {
  return createHash('sha256').update(identifier).digest('hex').slice(0, 12);
}

function scrubError(error: unknown): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? scrubSecrets(error) : error;
  const code = (error as { code?: unknown }).code;
  const status = (error as { status?: unknown }).status;
  return {
    type: error.name,
    message: scrubSecrets(error.message),
    ...(code !== undefined && { code }),
    ...(status !== undefined && { status }),
    ...(error.stack && { stack: scrubSecrets(error.stack) }),
    ...(error.cause !== undefined && { cause: scrubError(error.cause) }),
  };
}

/**
 * The process logger: JSON lines, with secrets and phone numbers redacted; pretty when a
 * person runs it in a terminal.
 */
export function createLogger(
  options: { level?: string; pretty?: boolean; destination?: DestinationStream } = {},
): Logger {
  const pretty = options.pretty ?? (process.stdout.isTTY && !options.destination);
  const settings = {
    level: options.level ?? 'info',
    base: { app: 'akwaba' },
    redact: {
      paths: [
        'token',
        '*.token',
        'botToken',
        '*.botToken',
        'apiKey',
        '*.apiKey',
        'serviceRoleKey',
        '*.serviceRoleKey',
        'accessToken',
        '*.accessToken',
        'appSecret',
        '*.appSecret',
        'verifyToken',
        '*.verifyToken',
        'phone',
        '*.phone',
        'headers.authorization',
        '*.headers.authorization',
        'headers.apikey',
      ],
      censor: '[redacted]',
    },
    serializers: { err: scrubError, error: scrubError },
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void) {
        // pino copies an error's message into `msg` itself when none is given: scrub it here.
        const [first] = args;
        const error = first instanceof Error ? first : (first as { err?: unknown } | undefined)?.err;
        if (args.length === 1 && error instanceof Error) {
          method.call(this, first, scrubSecrets(error.message));
          return;
        }
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? scrubSecrets(arg) : arg)),
        );
      },
    },
  };
  if (pretty) {
    return pino({ ...settings, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } });
  }
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
