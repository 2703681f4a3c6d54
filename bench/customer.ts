import type { BenchTelegram } from './fake-telegram.js';
import type { SentKind } from './stack.js';

/** How a customer of the scenario behaves, in real milliseconds. */
export const PATIENCE = {
  /** Silence after which they write "Allô ?" (the scenario: one minute). */
  alloMs: 60_000,
  /** Silence after which they say goodbye and leave (the scenario: a minute and a half). */
  abandonMs: 90_000,
  /** After a holding message ("je réfléchis…", "réécrivez…"), they ask again this much later. */
  retryAfterHoldingMs: 15_000,
  /** At most this many rephrasings per question. */
  retriesPerStep: 2,
} as const;

/** The three questions of a sale, with how the customer rephrases each, and what they say when nobody answers. */
const STEPS = [
  { text: 'Bonjour, je cherche une robe pour un mariage', again: 'Des robes élégantes pour mariage', allo: 'Allô ?' },
  { text: 'La bordeaux en M me plaît !', again: 'Vous avez la bordeaux en taille M ?', allo: 'Allô ? Vous êtes là ?' },
  // An order: the catalogue cannot take it, so a late model means the fallback here.
  { text: 'Je la prends ! Awa Koné, livraison à Marcory', again: 'Je confirme : je prends la bordeaux en M, livrée à Marcory', allo: 'Allô ? Ma commande ?' },
] as const;
const GOODBYE = 'Ce bot ne marche pas. Je vais voir ailleurs.';

/** One customer message and when they first heard back after it. */
export interface CustomerMessage {
  readonly updateId: number;
  readonly text: string;
  /** `performance.now()` when pushed to Telegram. */
  readonly sentAt: number;
  /** First bot message of any kind to this chat after it, and what it was. */
  firstReplyAt?: number;
  firstReplyKind?: SentKind;
  /** First real answer to this chat after it. */
  firstAnswerAt?: number;
}

export type CustomerStatus = 'waiting-to-start' | 'waiting' | 'thinking' | 'done' | 'abandoned';

/**
 * A scripted customer: asks three questions, each after the previous one is answered and a
 * moment to think. Reassured by a holding message, they ask again 15 s later; left in
 * silence, they write "Allô ?" after a minute and leave after a minute and a half, as in the
 * scenario. All timers are cleared by `stop()`.
 */
export class Customer {
  readonly messages: CustomerMessage[] = [];
  status: CustomerStatus = 'waiting-to-start';
  /** Bot messages that arrived after the customer had left. */
  heardAfterLeaving = 0;
  private step = 0;
  private retries = 0;
  private stepTexts = new Set<string>();
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private silence: ReturnType<typeof setTimeout>[] = [];

  constructor(
    readonly chatId: number,
    private readonly telegram: BenchTelegram,
    private readonly startMs: number,
    private readonly thinkMs: readonly number[],
  ) {}

  start(): void {
    this.later(this.startMs, () => this.ask(STEPS[0]!.text));
  }

  /** The bot sent `text` to this chat at `at`. */
  hear(kind: SentKind, text: string, at: number): void {
    const answer = kind === 'model' || kind === 'quick';
    for (const message of this.messages) {
      if (message.sentAt > at) continue;
      if (message.firstReplyAt === undefined) {
        message.firstReplyAt = at;
        message.firstReplyKind = kind;
      }
      if (answer) message.firstAnswerAt ??= at;
    }
    if (this.status === 'abandoned' || this.status === 'done') {
      if (this.status === 'abandoned') this.heardAfterLeaving += 1;
      return;
    }
    this.clearSilence();
    if (this.status !== 'waiting') return;
    // The fake model echoes the last customer message it saw: its answer to an older question
    // does not count. A quick answer only ever answers the question being waited on.
    if (kind === 'quick' || (kind === 'model' && this.stepTexts.has(text.replace(/^Réponse à: /, '')))) {
      this.clearTimers();
      this.step += 1;
      this.retries = 0;
      this.stepTexts = new Set();
      if (this.step >= STEPS.length) {
        this.status = 'done';
        return;
      }
      this.status = 'thinking';
      this.later(this.thinkMs[this.step - 1] ?? 2000, () => this.ask(STEPS[this.step]!.text));
      return;
    }
    if (answer) {
      this.startSilence(); // an answer to an older question: still waiting for this one
      return;
    }
    // A holding message: reassured, they ask again a little later, or wait for the answer.
    this.clearTimers();
    if (this.retries < PATIENCE.retriesPerStep) {
      this.later(PATIENCE.retryAfterHoldingMs, () => {
        this.retries += 1;
        this.ask(STEPS[this.step]!.again);
      });
    } else {
      this.startSilence();
    }
  }

  /** Clears every timer; the customer stops acting. */
  stop(): void {
    this.clearTimers();
    this.clearSilence();
  }

  get active(): boolean {
    return this.status !== 'done' && this.status !== 'abandoned';
  }

  private ask(text: string): void {
    this.status = 'waiting';
    this.send(text);
    if (this.silence.length === 0) this.startSilence();
  }

  private send(text: string): void {
    this.stepTexts.add(text);
    const updateId = this.telegram.pushMessage(this.chatId, text);
    this.messages.push({ updateId, text, sentAt: this.telegram.pushedAt(updateId)! });
  }

  private startSilence(): void {
    this.clearSilence();
    this.silence = [
      setTimeout(() => this.send(STEPS[this.step]!.allo), PATIENCE.alloMs),
      setTimeout(() => {
        this.send(GOODBYE);
        this.status = 'abandoned';
        this.stop();
      }, PATIENCE.abandonMs),
    ];
  }

  private clearSilence(): void {
    for (const timer of this.silence) clearTimeout(timer);
    this.silence = [];
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
