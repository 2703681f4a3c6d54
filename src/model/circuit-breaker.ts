/**
 * The state machine of a circuit breaker, with no knowledge of what it protects: closed
 * (calls go through), open (calls are refused for a cool-down), half-open (the next call is a
 * probe; its outcome closes or re-opens the circuit).
 */

/** `closed`: calls go through. `open`: refused until the cool-down ends. `half_open`: one probe at a time. */
export type CircuitState = 'closed' | 'half_open' | 'open';

/** Options of {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Failures in a row (with no success between) that open the circuit. Default 5. */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before a probe is let through, in ms. Default 30 000. */
  readonly cooldownMs?: number;
  readonly now?: () => number;
  /** Called on every change of state, after it happened. */
  readonly onStateChange?: (state: CircuitState, previous: CircuitState) => void;
}

/**
 * The right to make one call. Report what happened: `failure()` for each failed attempt
 * (may be called several times), `success()` once it worked, and always `release()` at the end;
 * a call that only `release()`s (say, cancelled) counts neither way.
 */
export interface CircuitPermit {
  /** True for the one call let through to test a half-open circuit. */
  readonly probe: boolean;
  success(): void;
  failure(): void;
  release(): void;
}

/** See {@link createCircuitBreaker}. */
export interface CircuitBreaker {
  readonly state: CircuitState;
  /** Failures counted since the last success. */
  readonly failures: number;
  /** When the current cool-down ends (epoch ms), while open. */
  readonly retryAt: number | undefined;
  /** A permit, or `undefined` when the call must not be made (open, or a probe is already out). */
  tryAcquire(): CircuitPermit | undefined;
  /** Stops the cool-down timer (the state no longer moves to half-open by itself). */
  dispose(): void;
}

/**
 * Creates a breaker. Outcomes of calls started before the last change of state are ignored:
 * a late failure of a call made before the circuit opened does not lengthen the cool-down, and
 * one made before a successful probe does not count against the recovered provider.
 *
 * @example
 * const breaker = createCircuitBreaker({ failureThreshold: 5, cooldownMs: 30_000 });
 * const permit = breaker.tryAcquire();
 * if (!permit) return answerWithoutTheModel();
 * try { const answer = await callTheModel(); permit.success(); return answer; }
 * catch (error) { if (isProviderFailure(error)) permit.failure(); throw error; }
 * finally { permit.release(); }
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = options.failureThreshold ?? 5;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const now = options.now ?? Date.now;
  let state: CircuitState = 'closed';
  let generation = 0;
  let failures = 0;
  let retryAt: number | undefined;
  let probeOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function move(to: CircuitState): void {
    const previous = state;
    state = to;
    generation += 1;
    probeOut = false;
    clearTimeout(timer);
    timer = undefined;
    if (to === 'open') {
      retryAt = now() + cooldownMs;
      timer = setTimeout(() => {
        if (state === 'open') move('half_open');
      }, cooldownMs);
      timer.unref?.();
    } else {
      retryAt = undefined;
    }
    if (to === 'closed') failures = 0;
    options.onStateChange?.(to, previous);
  }

  function permit(probe: boolean): CircuitPermit {
    const issued = generation;
    let released = false;
    const current = () => !released && issued === generation;
    return {
      probe,
      success() {
        if (!current()) return;
        if (state === 'half_open') move('closed');
        else failures = 0;
      },
      failure() {
        if (!current()) return;
        failures += 1;
        if (state === 'half_open' || failures >= threshold) move('open');
      },
      release() {
        if (released) return;
        released = true;
        if (probe && issued === generation) probeOut = false;
      },
    };
  }

  return {
    get state() {
      return state;
    },
    get failures() {
      return failures;
    },
    get retryAt() {
      return retryAt;
    },
    tryAcquire() {
      // The timer may lag behind a busy event loop; the clock decides.
      if (state === 'open' && retryAt !== undefined && now() >= retryAt) move('half_open');
      if (state === 'closed') return permit(false);
      if (state === 'open' || probeOut) return undefined;
      probeOut = true;
      return permit(true);
    },
    dispose() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
