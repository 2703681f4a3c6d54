import { createHash, randomBytes } from 'node:crypto';

/** Options of {@link createSessions}. */
export interface SessionOptions {
  /** How long a login lasts. */
  readonly ttlMs: number;
  /** Most sessions at once; a new login past it ends the oldest. */
  readonly maxSessions: number;
  readonly now: () => number;
}

/** The owner's logins: random ids handed out as a cookie, kept in memory (a restart logs out). */
export interface Sessions {
  /** Starts a session; returns its id, for the cookie. */
  open(): string;
  /** Whether `id` is a live session. */
  isValid(id: string): boolean;
  close(id: string): void;
  readonly size: number;
}

/**
 * Server-side sessions: the cookie carries a 256-bit random id, never the admin token, and
 * only the id's hash is kept, so the sessions in memory cannot be replayed as cookies.
 */
export function createSessions(options: SessionOptions): Sessions {
  const expiries = new Map<string, number>();
  const keyOf = (id: string) => createHash('sha256').update(id).digest('base64url');
  return {
    open() {
      const at = options.now();
      for (const [key, expiresAt] of expiries) if (expiresAt <= at) expiries.delete(key);
      while (expiries.size >= options.maxSessions) expiries.delete(expiries.keys().next().value as string);
      const id = randomBytes(32).toString('base64url');
      expiries.set(keyOf(id), at + options.ttlMs);
      return id;
    },
    isValid(id) {
      const key = keyOf(id);
      const expiresAt = expiries.get(key);
      if (expiresAt === undefined) return false;
      if (expiresAt > options.now()) return true;
      expiries.delete(key);
      return false;
    },
    close(id) {
      expiries.delete(keyOf(id));
    },
    get size() {
      return expiries.size;
    },
  };
}
