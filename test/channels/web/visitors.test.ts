import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VisitorBook, type VisitorBookOptions } from '../../../channels/web/visitors.js';

const DAY = 24 * 60 * 60_000;

describe('VisitorBook', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2025-03-01T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const book = (options: Partial<VisitorBookOptions> = {}) =>
    new VisitorBook({
      historyLimit: 50,
      visitorTtlMs: DAY,
      maxVisitors: 100,
      messagesPerMinute: 20,
      maxStreamsPerVisitor: 4,
      maxStreams: 100,
      now: Date.now,
      ...options,
    });

  it('forgets a visitor idle for 24 h, not one who came back', () => {
    const visitors = book();
    visitors.append('awa', { type: 'message', from: 'customer', text: 'Bonjour' });
    visitors.append('kofi', { type: 'message', from: 'customer', text: 'Bonsoir' });
    vi.advanceTimersByTime(DAY - 1000);
    visitors.touch('kofi');
    vi.advanceTimersByTime(2000);

    expect(visitors.eventsAfter('awa')).toEqual([]);
    expect(visitors.eventsAfter('kofi')).toHaveLength(1);
    visitors.sweep();
    expect(visitors.size).toBe(2); // awa was just seen again by eventsAfter, as a new visitor
    vi.advanceTimersByTime(DAY + 1);
    visitors.sweep();
    expect(visitors.size).toBe(0);
  });

  it('keeps a visitor whose page is still open', () => {
    const visitors = book();
    visitors.subscribe('awa', { event: () => undefined, typing: () => undefined, close: () => undefined });
    vi.advanceTimersByTime(2 * DAY);
    visitors.sweep();

    expect(visitors.size).toBe(1);
  });

  it('holds at most maxVisitors, forgetting the longest idle first', () => {
    const visitors = book({ maxVisitors: 2 });
    visitors.touch('a');
    vi.advanceTimersByTime(1000);
    visitors.touch('b');
    vi.advanceTimersByTime(1000);
    visitors.touch('a');
    visitors.touch('c');

    expect(visitors.size).toBe(2);
    expect(visitors.lastEventId('b')).toBeUndefined();
    visitors.append('a', { type: 'message', from: 'shop', text: 'encore là' });
    expect(visitors.eventsAfter('a')).toHaveLength(1);
  });

  it('frees a message slot a minute after it was taken', () => {
    const visitors = book({ messagesPerMinute: 2 });
    expect(visitors.takeMessageSlot('awa')).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(visitors.takeMessageSlot('awa')).toBe(0);
    expect(visitors.takeMessageSlot('awa')).toBe(50_000);
    vi.advanceTimersByTime(50_000);
    expect(visitors.takeMessageSlot('awa')).toBe(0);
  });
});
