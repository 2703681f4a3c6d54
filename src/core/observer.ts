import type { FallbackReason } from './responder.js';
import type { IncomingMessage } from './message.js';

/**
 * What kind of message went to a customer: the real answer (`answer`, `late_answer` after the
 * fallback, `catalogue_answer` from the shop's data once the model failed for good), the
 * `fallback`, `unavailable` (the honest line when no answer can come), `unsupported` (a message
 * the bot cannot read), `notice` (a guard's line: too fast, too long), `handoff` (a person is
 * coming) and `human` (the owner's own words).
 */
export type ReplyKind =
  | 'answer'
  | 'late_answer'
  | 'catalogue_answer'
  | 'fallback'
  | 'unavailable'
  | 'unsupported'
  | 'notice'
  | 'handoff'
  | 'human';

/** Something the bot sent a customer, as the records (dashboard, handoff) need it. */
export interface ReplyEvent {
  readonly channel: string;
  readonly chatId: string;
  readonly kind: ReplyKind;
  readonly text: string;
  /** When it was delivered (epoch ms). */
  readonly at: number;
  /** Why the fallback went out (fallbacks only). */
  readonly reason?: FallbackReason;
  /** The customer messages this reply answers or covers. */
  readonly messageIds: readonly string[];
  /** How long the responder took for this turn (answers only). */
  readonly modelLatencyMs?: number;
}

/**
 * Watches conversations without taking part in them: what customers send and what the bot
 * sends back. Calls are synchronous and must not throw (errors are logged and ignored).
 */
export interface ConversationObserver {
  /** A customer message was taken (duplicates are not reported). */
  messageReceived?(message: IncomingMessage): void;
  /** A reply reached the channel. */
  replySent?(event: ReplyEvent): void;
}
