import { pino, type Logger, type DestinationStream } from 'pino';
import { safeErrorMessage, serializeError } from './log-errors.js';
import { mapStrings, scrubSecrets, stripUrlCredentials } from './redact.js';

export type { Logger } from 'pino';
export { displayUrl, pseudonym, scrubSecrets, stripUrlCredentials } from './redact.js';

/**
 * The process logger: JSON lines, with secrets and phone numbers redacted, URLs without their
 * user info, and a provider's error words withheld (they may echo a customer's text); pretty
 * when a person runs it in a terminal.
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
    serializers: { err: serializeError, error: serializeError },
    // Identifiers stay as they are; only URL credentials are taken out of the fields' strings.
    formatters: { log: (object: Record<string, unknown>) => mapStrings(object, stripUrlCredentials) as Record<string, unknown> },
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void) {
        // pino copies an error's message into `msg` itself when none is given: scrub it here.
        const [first] = args;
        const error = first instanceof Error ? first : (first as { err?: unknown } | undefined)?.err;
        if (args.length === 1 && error instanceof Error) {
          method.call(this, first, safeErrorMessage(error));
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
