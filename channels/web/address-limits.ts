import { createKeyLimiter, type KeyLimiter } from '../../src/infra/key-limiter.js';

/** What one address (one phone, one office behind one router) may do on the web chat. */
export interface AddressLimitOptions {
  /** Open chat pages (event streams) at once. */
  readonly streams: number;
  /** New visitors per hour. */
  readonly visitorsPerHour: number;
  /** Messages per minute, all the address's visitors together. */
  readonly messagesPerMinute: number;
  readonly now?: () => number;
}

/** Per-address limits; every method takes the address key (see `addressKey`). */
export interface AddressLimits {
  /** Takes a new-visitor slot: 0, or the ms to wait. */
  newVisitor(address: string): number;
  /** Takes a message slot: 0, or the ms to wait. */
  message(address: string): number;
  /** Opens a stream: its release function, or `null` when the address holds its share. */
  openStream(address: string): (() => void) | null;
}

const HOUR_MS = 60 * 60_000;
const MINUTE_MS = 60_000;

/**
 * The web chat's limits per client address, so one client cannot take the whole chat from
 * everyone else: it holds at most its share of the open streams, starts a bounded number of
 * conversations (each costs a file, a dashboard line and model calls), and sends a bounded
 * number of messages whatever visitor ids it holds. Memory is bounded by the limiters' key caps
 * and, for streams, by the streams themselves.
 */
export function createAddressLimits(options: AddressLimitOptions): AddressLimits {
  const now = options.now;
  const visitors: KeyLimiter = createKeyLimiter({ limit: options.visitorsPerHour, windowMs: HOUR_MS, now });
  const messages: KeyLimiter = createKeyLimiter({ limit: options.messagesPerMinute, windowMs: MINUTE_MS, now });
  const streams = new Map<string, number>();
  return {
    newVisitor: (address) => visitors.take(address),
    message: (address) => messages.take(address),
    openStream(address) {
      const open = streams.get(address) ?? 0;
      if (open >= options.streams) return null;
      streams.set(address, open + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (streams.get(address) ?? 1) - 1;
        if (left <= 0) streams.delete(address);
        else streams.set(address, left);
      };
    },
  };
}
