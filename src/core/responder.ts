import type { Button } from './channel.js';
import type { Customer, Photo } from './tools.js';

/** Why a customer got the fallback instead of the real answer. */
export type FallbackReason = 'timeout' | 'rate_limit' | 'provider_error' | 'internal';

/** One line of a conversation as the model sees it. */
export interface ChatEntry {
  readonly role: 'user' | 'assistant';
  readonly content: string;
  /** When it was said (epoch ms). */
  readonly at: number;
  /** The button the customer pressed, when this line is a button press (the message's `action`). */
  readonly action?: string;
}

/** What the core hands to a responder for one turn of a conversation. */
export interface ReplyRequest {
  /** `channel:chatId`, stable for one conversation. */
  readonly conversationKey: string;
  /** Who is asking: tools that act for the customer (orders) need it. */
  readonly customer: Customer;
  /** The recent conversation, oldest first, ending with the customer's new message(s). */
  readonly history: readonly ChatEntry[];
  /**
   * Aborted when the answer is no longer wanted: the late-answer window is over, the customer
   * wrote again after the fallback (a newer turn answers everything), or shutdown.
   */
  readonly signal: AbortSignal;
  /** When the customer should have heard from us (epoch ms): the fallback goes out then. */
  readonly replyBy: number;
  /** The last moment an answer is still delivered (epoch ms). */
  readonly giveUpAt: number;
  /**
   * Tells the turn what is holding its answer up; the turn decides what the customer hears
   * (the fallback at once when `until` is past the customer's deadline). The work goes on
   * unless the signal aborts. An answer that cannot come before `giveUpAt` is not a setback:
   * throw a {@link ResponderError}.
   */
  readonly report: (setback: Setback) => void;
}

/** Something that holds an answer up: a 429, a failing provider, a paused model. */
export interface Setback {
  readonly reason: FallbackReason;
  /** The earliest moment the answer can come (epoch ms), when it is known: a `retry-after`, the end of a pause. */
  readonly until?: number;
}

/** A reply to send to the customer. */
export interface Reply {
  readonly text: string;
  /** Pictures to show before the text (channels without photos send the links). */
  readonly photos?: readonly Photo[];
  /** Choices offered under the text (see {@link Button}). */
  readonly buttons?: readonly Button[];
}

/** Produces the real answer for a turn: the model, or anything else that can talk. */
export interface Responder {
  /** A short description for logs and `/healthz`, e.g. `openai gpt-4o-mini at https://…`. */
  readonly description: string;
  reply(request: ReplyRequest): Promise<Reply>;
}

/**
 * A responder failure that will not get better by waiting (a refused key, an exhausted quota, a
 * wait past `giveUpAt`): the turn ends at once with one honest line, or the shop's own answer.
 */
export class ResponderError extends Error {
  override readonly name = 'ResponderError';
  constructor(
    message: string,
    readonly code: FallbackReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
