/** The first look, during a provider's pause, at whether it was for everyone; then 2×, 4×… */
const FIRST_PROBE_MS = 250;
const MAX_PROBE_MS = 8000;

/**
 * The provider's own pause (a `retry-after` naming a quota's wait): no call goes before it
 * ends, except one probe at a time, after 0.25 s, then 0.5, 1, 2… up to 8 s, to see whether the
 * wait was that call's alone. A probe answered lifts the pause.
 */
export class ProviderPause {
  /** When the pause ends (epoch ms); in the past when there is none. */
  until = 0;
  private probing = false;
  private probeAt = 0;
  private probeDelay = FIRST_PROBE_MS;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly now: () => number) {}

  get active(): boolean {
    return this.now() < this.until;
  }

  /** Pauses for `waitMs` unless a longer pause runs; returns whether it was started or lengthened. */
  extend(waitMs: number): boolean {
    const until = this.now() + waitMs;
    if (until <= this.until) return false;
    if (!this.active) {
      this.probeDelay = FIRST_PROBE_MS;
      this.probeAt = this.now() + this.probeDelay;
    }
    this.until = until;
    return true;
  }

  /** True when a probe may go now (none out, its time has come). */
  get probeDue(): boolean {
    return !this.probing && this.now() >= this.probeAt;
  }

  probeSent(): void {
    this.probing = true;
  }

  /** The probe came back. Answered: the pause is lifted (returns true). Refused: the next one waits twice as long. */
  probed(answered: boolean): boolean {
    this.probing = false;
    if (answered && this.active) {
      this.until = 0;
      return true;
    }
    this.probeDelay = Math.min(this.probeDelay * 2, MAX_PROBE_MS);
    this.probeAt = this.now() + this.probeDelay;
    return false;
  }

  /**
   * Calls `fill` again when it may do something: at the next probe or the end of the pause. A
   * timer may fire a little before the clock says it is time: `fill` then looks again. (A new
   * call or a finished one looks again by itself: no need to wake for them.)
   */
  wakeFor(fill: () => void): void {
    const wake = !this.probing && this.probeAt > this.now() ? Math.min(this.until, this.probeAt) : this.until;
    clearTimeout(this.timer);
    this.timer = setTimeout(fill, Math.max(1, wake - this.now()));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
