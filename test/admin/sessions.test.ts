import { describe, expect, it } from 'vitest';
import { createSessions } from '../../src/admin/sessions.js';

describe('admin sessions', () => {
  it('keeps at most maxSessions however many logins, the newest valid and the oldest ended', () => {
    const sessions = createSessions({ ttlMs: 3_600_000, maxSessions: 20, now: () => 0 });
    const ids = Array.from({ length: 1000 }, () => sessions.open());
    expect(sessions.size).toBe(20);
    expect(sessions.isValid(ids.at(-1)!)).toBe(true);
    expect(sessions.isValid(ids[0]!)).toBe(false);
  });

  it('lets expired sessions go at the next login', () => {
    let at = 0;
    const sessions = createSessions({ ttlMs: 1000, maxSessions: 20, now: () => at });
    for (let i = 0; i < 10; i += 1) sessions.open();
    at = 1000;
    const fresh = sessions.open();
    expect(sessions.size).toBe(1);
    expect(sessions.isValid(fresh)).toBe(true);
  });
});
