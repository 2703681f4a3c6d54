import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retryAfterMs, waitNamedIn } from '../../src/model/retry.js';

describe('retryAfterMs', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    // On a whole second, since HTTP dates have no milliseconds.
    vi.setSystemTime(new Date('2025-06-20T10:00:00.000Z'));
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads retry-after-ms as milliseconds', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '1500' }))).toBe(1500);
  });

  it('reads retry-after as seconds', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': '0' }))).toBe(0);
  });

  it('reads retry-after as an HTTP date', () => {
    const inThreeSeconds = new Date(Date.now() + 3000).toUTCString(); // e.g. "Fri, 20 Jun 2025 10:00:03 GMT"

    const waitMs = retryAfterMs(new Headers({ 'retry-after': inThreeSeconds }));

    expect(waitMs).toBe(3000);
  });

  it('does not wait for an HTTP date already past', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(Date.now() - 60_000).toUTCString() }))).toBe(0);
  });

  it('prefers retry-after-ms over retry-after', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '30' }))).toBe(250);
  });

  it('falls back to retry-after when retry-after-ms is unreadable', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': 'soon', 'retry-after': '2' }))).toBe(2000);
  });

  it('gives nothing when the headers say nothing usable', () => {
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'x-ratelimit-remaining-requests': '0' }))).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': '' }))).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after-ms': 'abc' }))).toBeUndefined();
  });

  it('treats a negative retry-after as unusable, not as a date', () => {
    // Date.parse('-1') is a date in the year 2001 for V8, which would mean "retry at once".
    expect(retryAfterMs(new Headers({ 'retry-after': '-1' }))).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '-500' }))).toBeUndefined();
  });
});

describe('waitNamedIn', () => {
  it('reads the wait OpenAI names in its message when no header does', () => {
    expect(waitNamedIn('Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.')).toBe(20_000);
    expect(waitNamedIn('Rate limit reached on tokens per min (TPM). Please try again in 1.5s.')).toBe(1500);
    expect(waitNamedIn('Please try again in 450ms. Visit https://platform.openai.com/account/rate-limits')).toBe(450);
    expect(waitNamedIn('Please try again in 1m30s.')).toBe(90_000);
    expect(waitNamedIn('Please try again in 6m0s.')).toBe(360_000);
  });

  it('names no wait when the message does not', () => {
    expect(waitNamedIn('You exceeded your current quota, please check your plan and billing details.')).toBeUndefined();
    expect(waitNamedIn('try again later')).toBeUndefined();
  });
});
