import type { Logger } from '../infra/logger.js';
import type { Metrics, ReplyKind } from '../infra/metrics.js';
import type { ConversationObserver } from './observer.js';
import type { FallbackReason } from './responder.js';
import type { Photo } from './tools.js';
import type { Channel } from './channel.js';

/** Something a customer sent and has not yet had a reply to. */
export interface Owed {
  readonly receivedAt: number;
  readonly messageId?: string;
  firstResponseAt?: number;
}

/** What a reply carries besides its text. */
export interface ReplyDetail {
  readonly photos?: readonly Photo[];
  readonly reason?: FallbackReason;
  readonly modelLatencyMs?: number;
}

/** What the outbox needs from the conversation around it. */
export interface ReplyOutboxContext {
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly observer?: ConversationObserver;
  readonly now: () => number;
  readonly typingRefreshMs: number;
  /** True while the customer still waits for something: "typing…" stays up. */
  readonly owesAnswers: () => boolean;
}

/**
 * The way back to one customer: replies leave one at a time in the order they were decided,
 * and "typing…" is shown at once, refreshed, and shown again after a reply when more is coming
 * (a sent message clears the indicator on the customer's screen).
 */
export class ReplyOutbox {
  private chain: Promise<void> = Promise.resolve();
  private typingTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    /** The channel the customer last wrote from. */
    public channel: Channel,
    private readonly chatId: string,
    private readonly logId: string,
    private readonly context: ReplyOutboxContext,
  ) {}

  /** Resolves once everything queued so far was sent (or failed and was logged). */
  get idle(): Promise<void> {
    return this.chain;
  }

  /** Queues a reply; `covers` are the messages it answers or covers, for the records. */
  send(text: string, kind: ReplyKind, covers: readonly Owed[], detail: ReplyDetail = {}): Promise<void> {
    const { metrics, logger, now } = this.context;
    const channel = this.channel;
    const sent = this.chain.then(async () => {
      for (const photo of detail.photos ?? []) await this.sendPhoto(channel, photo);
      try {
        await channel.sendText(this.chatId, text);
        metrics.replies.inc({ channel: channel.name, kind });
        this.observe(channel, text, kind, covers, detail);
      } catch (error) {
        metrics.sendFailures.inc({ channel: channel.name });
        logger.error({ err: error, conversation: this.logId, kind }, 'reply could not be delivered');
      }
      const at = now();
      for (const owed of covers) {
        if (owed.firstResponseAt !== undefined) continue;
        owed.firstResponseAt = at;
        metrics.firstResponse.observe({ channel: channel.name, kind }, (at - owed.receivedAt) / 1000);
      }
      if (this.context.owesAnswers()) this.typeNow();
    });
    this.chain = sent;
    return sent;
  }

  /** Shows "typing…" now and keeps it up while the customer waits. */
  startTyping(receivedAt: number): void {
    this.stopTyping();
    this.typeNow();
    this.context.metrics.typingDelay.observe({ channel: this.channel.name }, Math.max(0, this.context.now() - receivedAt) / 1000);
    this.typingTimer = setInterval(() => {
      if (this.context.owesAnswers()) this.typeNow();
    }, this.channel.typingRefreshMs ?? this.context.typingRefreshMs);
  }

  stopTyping(): void {
    clearInterval(this.typingTimer);
    this.typingTimer = undefined;
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

  private observe(channel: Channel, text: string, kind: ReplyKind, covers: readonly Owed[], detail: ReplyDetail): void {
    try {
      this.context.observer?.replySent?.({
        channel: channel.name,
        chatId: this.chatId,
        kind,
        text,
        at: this.context.now(),
        messageIds: covers.flatMap((owed) => (owed.messageId === undefined ? [] : [owed.messageId])),
        ...(detail.reason && { reason: detail.reason }),
        ...(detail.modelLatencyMs !== undefined && { modelLatencyMs: detail.modelLatencyMs }),
      });
    } catch (error) {
      this.context.logger.error({ err: error, conversation: this.logId }, 'reply observer failed');
    }
  }
}
