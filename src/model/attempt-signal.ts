/** The reason an attempt's signal carries when its time is up, as `AbortSignal.timeout()` would give. */
const timedOut = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

/**
 * Runs one call to the provider with a signal of its own: aborted when `parent` is (with its
 * reason) or after `timeoutMs` (a `TimeoutError`). The timer and the link to `parent` are undone
 * when the call settles, so a long-lived `parent` keeps nothing of it.
 *
 * Not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: the OpenAI SDK adds an `abort`
 * listener to the signal it is given and never removes it, and on Node 20 a composite signal
 * with a listener is kept alive until it aborts, which a signal whose timeout source was
 * collected never does: one signal, its listener and the SDK's controller leaked per call
 * (the memory soak, `npm run bench -- --only=soak`).
 *
 * @example
 * const completion = await withAttemptSignal(request.signal, 25_000, (signal) => client.chat.completions.create(body, { signal }));
 */
export async function withAttemptSignal<T>(parent: AbortSignal, timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const attempt = new AbortController();
  const stop = () => attempt.abort(parent.reason);
  if (parent.aborted) stop();
  else parent.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(() => attempt.abort(timedOut()), timeoutMs);
  try {
    return await call(attempt.signal);
  } finally {
    clearTimeout(timer);
    parent.removeEventListener('abort', stop);
  }
}
