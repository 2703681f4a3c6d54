import type { Logger } from '../infra/logger.js';
import type { Metrics } from '../infra/metrics.js';
import type { Button, Channel, LinkButton } from './channel.js';
import type { ReplyEvent, ReplyKind } from './observer.js';
import type { FallbackReason } from './responder.js';
import type { Photo } from './tools.js';

/** A customer message the bot owes a reply to, as the way out sees it. */
export interface Owed {
  readonly receivedAt: number;
  readonly messageId?: string;
  /** When the customer first heard from us about it (any reply, the fallback included). */
  firstResponseAt?: number;
}

/** One message to a customer. */
export interface Outgoing {
  readonly text: string;
  readonly kind: ReplyKind;
  /** The customer messages it answers or covers (journal marks, records, first-response times). */
  readonly covers?: readonly Owed[];
  /** Pictures sent before the text (channels without photos get the links). */
  readonly photos?: readonly Photo[];
  /** A button under the text (a payment link); channels without buttons get the address after the text. */
  readonly link?: LinkButton;
  /** Choices shown under the text (buttons, or numbered lines where a channel has no buttons). */
  readonly buttons?: readonly Button[];
  /** Why the fallback went out (fallbacks only). */
  readonly reason?: FallbackReason;
  /** How long the model took (answers only). */
  readonly modelLatencyMs?: number;
  /** Aborted when the message is no longer wanted: it is dropped if it has not left yet. */
  readonly signal?: AbortSignal;
}

/** What the way out needs from the conversation around it. */
export interface OutboxContext {
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly typingRefreshMs: number;
  /** True while the customer still waits for something: "typing…" stays up. */
  readonly owesAnswers: () => boolean;
  /** Called once per delivered message, in order: the journal marks and the records. */
  readonly delivered: (event: ReplyEvent) => void;
}

/**
 * The one way out to a customer: every message (answer, fallback, guard line, handoff notice,
 * the owner's reply, a recovery apology) leaves here one at a time, in the order it was
 * decided, and is noted the same way once delivered. "Typing…" is shown at once, refreshed,
 * and shown again after a message when more is coming (a sent message clears the indicator on
 * the customer's screen).
 */
export class Outbox {
  private chain: Promise<unknown> = Promise.resolve();
  private typingTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    /** The channel the customer last wrote from. */
    public channel: Channel,
    private readonly chatId: string,
    private readonly logId: string,
    private readonly context: OutboxContext,
  ) {}

  /** Resolves once everything queued so far was sent (or failed and was logged). */
  get idle(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  /** Queues a message; resolves `true` once it was delivered, `false` if it failed or was dropped. */
  send(message: Outgoing): Promise<boolean> {
    const sent = this.chain.then(() => this.deliver(message));
    this.chain = sent;
    return sent;
  }

  /** Shows "typing…" now (unless `shown` already) and keeps it up while the customer waits. */
  startTyping(receivedAt: number, shown = false): void {
    this.stopTyping();
    if (!shown) {
      this.typeNow();
      this.context.metrics.typingDelay.observe({ channel: this.channel.name }, Math.max(0, this.context.now() - receivedAt) / 1000);
    }
    this.typingTimer = setInterval(() => {
      if (this.context.owesAnswers()) this.typeNow();
    }, this.channel.typingRefreshMs ?? this.context.typingRefreshMs);
  }

  stopTyping(): void {
    clearInterval(this.typingTimer);
    this.typingTimer = undefined;
  }

  private async deliver(message: Outgoing): Promise<boolean> {
    if (message.signal?.aborted) return false;
    const { metrics, logger, now } = this.context;
    const channel = this.channel;
    let delivered = false;
    for (const photo of message.photos ?? []) await this.sendPhoto(channel, photo);
    try {
      // A superseded answer still waiting behind its photos is dropped here, not sent late.
      if (message.signal?.aborted) return false;
      if (message.link) await this.sendWithLink(channel, message.text, message.link);
      else if (message.buttons && message.buttons.length > 0) await channel.sendText(this.chatId, message.text, { buttons: message.buttons });
      else await channel.sendText(this.chatId, message.text);
      delivered = true;
      metrics.replies.inc({ channel: channel.name, kind: message.kind });
    } catch (error) {
      metrics.sendFailures.inc({ channel: channel.name });
      logger.error({ err: error, conversation: this.logId, kind: message.kind }, 'message could not be delivered');
    }
    const at = now();
    const covers = message.covers ?? [];
    for (const owed of covers) {
      if (owed.firstResponseAt !== undefined) continue;
      owed.firstResponseAt = at;
      metrics.firstResponse.observe({ channel: channel.name, kind: message.kind }, (at - owed.receivedAt) / 1000);
    }
    if (delivered) this.note(channel, message, at);
    if (this.context.owesAnswers()) this.typeNow();
    return delivered;
  }

  private note(channel: Channel, message: Outgoing, at: number): void {
    try {
      this.context.delivered({
        channel: channel.name,
        chatId: this.chatId,
        kind: message.kind,
        text: message.text,
        at,
        messageIds: (message.covers ?? []).flatMap((owed) => (owed.messageId === undefined ? [] : [owed.messageId])),
        ...(message.reason && { reason: message.reason }),
        ...(message.modelLatencyMs !== undefined && { modelLatencyMs: message.modelLatencyMs }),
      });
    } catch (error) {
      this.context.logger.error({ err: error, conversation: this.logId }, 'delivered message not noted');
    }
  }

  /** A button where the channel has them and takes this one; otherwise the address after the text. */
  private async sendWithLink(channel: Channel, text: string, link: LinkButton): Promise<void> {
    if (channel.sendLink) {
      try {
        return await channel.sendLink(this.chatId, text, link);
      } catch (error) {
        this.context.logger.warn({ err: error, conversation: this.logId }, 'link button refused; sending the address as text');
      }
    }
    await channel.sendText(this.chatId, `${text}\n👉 ${link.url}`);
  }

  private typeNow(): void {
    this.channel.sendTyping?.(this.chatId).catch((error: unknown) => {
      this.context.logger.debug({ err: error, conversation: this.logId }, 'typing indicator not sent');
    });
  }

  /** A picture, or its link when the channel has no pictures or the platform refused it. */
  private async sendPhoto(channel: Channel, photo: Photo): Promise<void> {
    try {
      if (channel.sendPhoto) {
        await channel.sendPhoto(this.chatId, photo.url, photo.caption);
        return;
      }
    } catch (error) {
      this.context.logger.warn({ err: error, conversation: this.logId }, 'photo not sent; sending its link');
    }
    await channel.sendText(this.chatId, `${photo.caption}\n${photo.url}`).catch((error: unknown) => {
      this.context.logger.error({ err: error, conversation: this.logId }, 'photo link could not be delivered');
    });
  }
}
