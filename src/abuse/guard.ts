import { Counter, type Registry } from 'prom-client';
import { pseudonym, type Logger } from '../infra/logger.js';
import type { Channel, MessageHandler } from '../core/channel.js';
import type { IncomingMessage } from '../core/message.js';
import type { Blocklist } from './blocklist.js';
import { createRateLimit, type RateVerdict } from './rate-limit.js';

/** What the guard says to a customer it holds back. */
export interface AbuseTexts {
  /**
   * Sent once when a customer goes over the message rate: that message and the ones of the
   * next `quietMs` are not answered, so it says so, and when to write again.
   */
  readonly tooFast: (quietMs: number) => string;
  /** Sent for a message over `maxChars` (it is not handed to the bot). */
  readonly tooLong: string;
}

/** The default French texts. */
export const FRENCH_ABUSE_TEXTS: AbuseTexts = {
  tooFast: (quietMs) =>
    `Vous écrivez très vite 🙂 Ce message et ceux envoyés pendant ${frenchSpan(quietMs, 'next')} resteront sans réponse. ` +
    `Dans ${frenchSpan(quietMs, 'plain')}, renvoyez-moi votre question en un seul message : je vous répondrai.`,
  tooLong: 'Votre message est très long 🙂 Pouvez-vous me l’écrire en quelques lignes ? Je vous réponds tout de suite.',
};

/** Options of {@link guardAbuse}. */
export interface AbuseGuardOptions {
  readonly logger: Logger;
  /** Sends the guard's line through the chat's one way out (the engine's `say`). */
  readonly say: (channel: Channel, chatId: string, text: string, kind: 'notice') => Promise<boolean>;
  /** Chats the owner blocked: their messages are dropped without a word. */
  readonly blocklist?: Pick<Blocklist, 'isBlocked'>;
  /** Messages one chat may send per window (`CUSTOMER_MAX_MESSAGES_PER_MINUTE`). Default 20. */
  readonly maxMessages?: number;
  /** The window, in ms. Default 60 000. */
  readonly windowMs?: number;
  /** Longest message handed to the bot, in characters (`CUSTOMER_MAX_MESSAGE_CHARS`). Default 5000. */
  readonly maxChars?: number;
  readonly texts?: Partial<AbuseTexts>;
  /** Where `akwaba_messages_refused_total{channel,reason}` goes. */
  readonly registry?: Registry;
  readonly now?: () => number;
}

/** Why a message was not handed on. */
export type RefusalReason = 'blocked' | 'too_fast' | 'too_long';

const refusalCounters = new WeakMap<Registry, Counter<'channel' | 'reason'>>();

function refusalCounter(registry: Registry): Counter<'channel' | 'reason'> {
  let counter = refusalCounters.get(registry);
  if (!counter) {
    counter = new Counter({
      name: 'akwaba_messages_refused_total',
      help: 'Customer messages not handed to the bot: blocked chat, too many messages, or too long.',
      labelNames: ['channel', 'reason'],
      registers: [registry],
    });
    refusalCounters.set(registry, counter);
  }
  return counter;
}

/**
 * Puts limits in front of a message handler (the engine's `receive`), per chat and the same
 * on every channel: a blocked chat is ignored; a chat sending more than `maxMessages` per
 * `windowMs` gets one polite line saying that this message and those of the next `windowMs`
 * go unanswered and when to write again, and is then ignored until then; a message
 * longer than `maxChars` gets a polite request for a shorter one. Everything else goes on
 * untouched, and what the handler returns (the promise that the message is durably taken) is
 * returned as is; a refused message is done with at once, so the channel acknowledges it and
 * the platform does not deliver it again. Like every handler it never throws: if the guard
 * itself failed, the message goes on rather than be lost.
 *
 * @example
 * await telegram.start(guardAbuse(engine.receive, { logger, blocklist, registry: metrics.registry }));
 */
export function guardAbuse(handler: MessageHandler, options: AbuseGuardOptions): MessageHandler {
  const { logger, blocklist } = options;
  const texts = { ...FRENCH_ABUSE_TEXTS, ...options.texts };
  const maxChars = options.maxChars ?? 5000;
  const windowMs = options.windowMs ?? 60_000;
  const rate = createRateLimit({ maxMessages: options.maxMessages ?? 20, windowMs, now: options.now });
  const refused = options.registry ? refusalCounter(options.registry) : undefined;

  function say(message: IncomingMessage, channel: Channel, text: string): void {
    const chat = `${message.channel}:${pseudonym(message.chatId)}`;
    void Promise.resolve()
      .then(() => options.say(channel, message.chatId, text, 'notice'))
      .catch((error: unknown) => logger.warn({ err: error, chat }, 'abuse notice not delivered'));
  }

  function verdict(message: IncomingMessage): RefusalReason | 'notify_too_fast' | undefined {
    if (blocklist?.isBlocked(message.channel, message.chatId)) return 'blocked';
    const frequency: RateVerdict = rate.check(`${message.channel}\u0000${message.chatId}`);
    if (frequency === 'muted') return 'too_fast';
    if (frequency === 'limited') return 'notify_too_fast';
    if (message.text.length > maxChars) return 'too_long';
    return undefined;
  }

  return (message, channel) => {
    let outcome: ReturnType<typeof verdict>;
    try {
      outcome = verdict(message);
    } catch (error) {
      logger.error({ err: error }, 'abuse guard failed; message handed on');
      outcome = undefined;
    }
    // Handed on: the handler's promise (the message durably taken) is the channel's to await.
    if (outcome === undefined) return handler(message, channel);
    try {
      const reason: RefusalReason = outcome === 'notify_too_fast' ? 'too_fast' : outcome;
      refused?.inc({ channel: message.channel, reason });
      const chat = `${message.channel}:${pseudonym(message.chatId)}`;
      if (outcome === 'notify_too_fast') {
        logger.warn({ chat, reason }, 'customer writes too fast: one notice, then silence for a while');
        say(message, channel, texts.tooFast(windowMs));
      } else if (outcome === 'too_long') {
        logger.info({ chat, reason, chars: message.text.length }, 'message too long: asked for a shorter one');
        say(message, channel, texts.tooLong);
      } else {
        logger.debug({ chat, reason }, 'message dropped');
      }
    } catch (error) {
      logger.error({ err: error }, 'abuse guard could not refuse a message');
    }
  };
}

/** `la prochaine minute` / `1 minute`, `les 2 prochaines minutes` / `2 minutes`, `les 30 prochaines secondes` / `30 secondes`. */
function frenchSpan(ms: number, form: 'next' | 'plain'): string {
  const [count, unit] = ms >= 60_000 ? [Math.ceil(ms / 60_000), 'minute'] : [Math.max(1, Math.ceil(ms / 1000)), 'seconde'];
  if (form === 'plain') return `${count} ${unit}${count > 1 ? 's' : ''}`;
  return count === 1 ? `la prochaine ${unit}` : `les ${count} prochaines ${unit}s`;
}
