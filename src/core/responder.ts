import type { Customer, Photo } from './tools.js';

/** Why a customer got the fallback instead of the real answer. */
export type FallbackReason = 'timeout' | 'rate_limit' | 'provider_error' | 'internal';

/** One line of a conversation as the model sees it. */
export interface ChatEntry {
  readonly role: 'user' | 'assistant';
  readonly content: string;
  /** When it was said (epoch ms). */
  readonly at: number;
}

/** What the core hands to a responder for one turn of a conversation. */
export interface ReplyRequest {
  /** `channel:chatId`, stable for one conversation. */
  readonly conversationKey: string;
  /** Who is asking: tools that act for the customer (orders) need it. */
  readonly customer: Customer;
  /** The recent conversation, oldest first, ending with the customer's new message(s). */
  readonly history: readonly ChatEntry[];
  /** Aborted when the answer is no longer wanted (late-answer window over, or shutdown). */
  readonly signal: AbortSignal;
  /** When the customer should have heard from us (epoch ms): the fallback goes out then. */
  readonly replyBy: number;
  /** The last moment an answer is still delivered (epoch ms). */
  readonly giveUpAt: number;
  /**
   * Tells the core early that the answer will miss `replyBy` (say, a 429 whose `retry-after`
   * is past it), so the fallback goes out now rather than at the deadline. The work goes on.
   */
  readonly onSetback: (reason: FallbackReason) => void;
  /** Tells the core an attempt failed and is being retried: the reason shown if the deadline passes. */
  readonly reportProblem: (reason: FallbackReason) => void;
}

/** A reply to send to the customer. */
export interface Reply {
  readonly text: string;
  /** Pictures to show before the text (channels without photos send the links). */
  readonly photos?: readonly Photo[];
}

/** Produces the real answer for a turn: the model, or anything else that can talk. */
export interface Responder {
  /** A short description for logs and `/healthz`, e.g. `openai gpt-4o-mini at https://…`. */
  readonly description: string;
  reply(request: ReplyRequest): Promise<Reply>;
}

/** A responder failure that will not get better by waiting: the fallback goes out at once. */
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
