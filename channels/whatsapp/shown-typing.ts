/**
 * The chats showing "typing…" that a reply should clear, and since when. A chat whose reply
 * never went out (a failed send) is forgotten once it is older than `forgetAfterMs`, checked
 * whenever typing is shown or the book is asked: memory follows the chats typed to lately,
 * not every chat whose reply ever failed.
 */
export class ShownTyping {
  // Map order is the order typing was shown in, oldest first: a chat shown again moves last.
  private readonly since = new Map<string, number>();

  constructor(
    private readonly forgetAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Notes that `chatId` shows "typing…" from now. */
  shown(chatId: string): void {
    this.since.delete(chatId);
    this.since.set(chatId, this.now());
    this.forgetOld();
  }

  /** Forgets `chatId`; true when it was showing "typing…" (so the indicator needs clearing). */
  cleared(chatId: string): boolean {
    return this.since.delete(chatId);
  }

  /** Whether a chat showed "typing…" within the last `forgetAfterMs`. */
  any(): boolean {
    this.forgetOld();
    return this.since.size > 0;
  }

  /** Chats remembered. */
  get size(): number {
    return this.since.size;
  }

  private forgetOld(): void {
    const oldest = this.now() - this.forgetAfterMs;
    for (const [chatId, at] of this.since) {
      if (at >= oldest) return;
      this.since.delete(chatId);
    }
  }
}
