import { describe, expect, it } from 'vitest';
import { createRateLimit } from '../../src/abuse/rate-limit.js';

describe('createRateLimit', () => {
  it('allows maxMessages per window, then limited once, muted until the window passes', () => {
    let clock = 0;
    const rate = createRateLimit({ maxMessages: 2, windowMs: 1000, now: () => clock });
    expect([rate.check('a'), rate.check('a'), rate.check('a'), rate.check('a')]).toEqual(['ok', 'ok', 'limited', 'muted']);
    clock = 999;
    expect(rate.check('a')).toBe('muted');
    clock = 1000;
    expect([rate.check('a'), rate.check('a'), rate.check('a')]).toEqual(['ok', 'ok', 'limited']);
  });

  it('slides: the oldest message leaving the window frees a place', () => {
    let clock = 0;
    const rate = createRateLimit({ maxMessages: 2, windowMs: 1000, now: () => clock });
    rate.check('a');
    clock = 500;
    rate.check('a');
    clock = 1001;
    expect(rate.check('a')).toBe('ok');
    expect(rate.check('a')).toBe('limited');
  });

  it('forgets idle keys after a window', () => {
    let clock = 0;
    const rate = createRateLimit({ maxMessages: 2, windowMs: 1000, now: () => clock });
    for (let i = 0; i < 500; i++) rate.check(String(i));
    expect(rate.size).toBe(500);
    clock = 2001;
    rate.check('fresh');
    expect(rate.size).toBe(1);
  });
});
