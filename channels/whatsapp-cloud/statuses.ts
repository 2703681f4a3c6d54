import { Counter, Registry } from 'prom-client';
import { pseudonym, scrubSecrets, type Logger } from '../../src/infra/logger.js';
import { WINDOW_CLOSED } from './errors.js';
import type { CloudStatus, CloudWebhookError } from './parse.js';

/** The Cloud API channel's figures on `/metrics`. */
export interface CloudMetrics {
  /** `akwaba_whatsapp_statuses_total{status}`: Meta's notices about what the bot sent (sent, delivered, read, failed). */
  readonly statuses: Counter<'status'>;
  /** `akwaba_whatsapp_errors_total{code,source}`: Meta's error codes, from a send (`send`), a failed status (`status`) or the account (`webhook`). */
  readonly errors: Counter<'code' | 'source'>;
  /** `akwaba_whatsapp_send_retries_total{reason}`: sends tried again after `throughput` (130429), `pair_rate` (131056) or a `transient` fault. */
  readonly retries: Counter<'reason'>;
}

const byRegistry = new WeakMap<Registry, CloudMetrics>();

/** The channel's counters on `registry` (created once per registry), or on a private one. */
export function cloudMetrics(registry: Registry = new Registry()): CloudMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: CloudMetrics = {
    statuses: new Counter({
      name: 'akwaba_whatsapp_statuses_total',
      help: "Meta's status notifications for messages the bot sent on WhatsApp (sent, delivered, read, failed).",
      labelNames: ['status'],
      registers,
    }),
    errors: new Counter({
      name: 'akwaba_whatsapp_errors_total',
      help: "WhatsApp Cloud API error codes, by where they came from: a send's answer, a failed status, or the account.",
      labelNames: ['code', 'source'],
      registers,
    }),
    retries: new Counter({
      name: 'akwaba_whatsapp_send_retries_total',
      help: 'WhatsApp sends tried again, by reason (throughput, pair_rate, transient).',
      labelNames: ['reason'],
      registers,
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}

/** What the recorder needs around it. */
export interface StatusRecorderOptions {
  readonly log: Logger;
  readonly metrics: CloudMetrics;
  /** A message Meta could not deliver because the 24-hour window had closed (known only after the send, sometimes). */
  readonly onWindowClosed: (messageId: string, recipientId: string) => void;
}

/**
 * Records Meta's status notifications: each is counted; `failed` ones are logged with their
 * error code and details (the customer as a pseudonym, never their number) and counted by
 * code. Errors about the account itself (`value.errors`) likewise.
 */
export function createStatusRecorder(options: StatusRecorderOptions): {
  status(status: CloudStatus): void;
  accountError(error: CloudWebhookError): void;
} {
  const { log, metrics } = options;
  return {
    status(status) {
      metrics.statuses.inc({ status: status.status });
      if (status.status !== 'failed') {
        log.debug({ status: status.status, message: pseudonym(status.messageId) }, 'whatsapp: message status');
        return;
      }
      const errors = status.errors.length > 0 ? status.errors : [{ code: 0 }];
      for (const error of errors) {
        metrics.errors.inc({ code: String(error.code), source: 'status' });
        log.warn(
          { code: error.code, title: error.title, details: scrubbed(error.details), message: pseudonym(status.messageId), chat: pseudonym(status.recipientId) },
          `whatsapp: a message could not be delivered (${error.code}${error.title ? ` ${error.title}` : ''})`,
        );
        if (error.code === WINDOW_CLOSED) options.onWindowClosed(status.messageId, status.recipientId);
      }
    },
    accountError(error) {
      metrics.errors.inc({ code: String(error.code), source: 'webhook' });
      log.warn({ code: error.code, title: error.title, details: scrubbed(error.details) }, `whatsapp: Meta reports an error (${error.code})`);
    },
  };
}

/** Meta's details sometimes quote the customer's number. */
const scrubbed = (details: string | undefined) => (details === undefined ? undefined : scrubSecrets(details));
