import { describe, expect, it } from 'vitest';
import { ShownTyping } from '../../../channels/whatsapp/shown-typing.js';

describe('shown typing', () => {
  it('forgets chats whose reply never cleared "typing…" once they are old, however many there were', () => {
    let at = 0;
    const typing = new ShownTyping(30_000, () => at);
    let most = 0;
    for (let i = 0; i < 20_000; i += 1) {
      at += 100; // a chat every 100 ms, none ever answered
      typing.shown(`chat-${i}`);
      most = Math.max(most, typing.size);
    }
    expect(most).toBe(301);
    expect(typing.any()).toBe(true);
    at += 30_001;
    expect(typing.any()).toBe(false);
    expect(typing.size).toBe(0);
  });

  it('says whether a chat was showing "typing…", once', () => {
    let at = 0;
    const typing = new ShownTyping(30_000, () => at);
    typing.shown('a');
    typing.shown('b');
    at = 20_000;
    typing.shown('a'); // shown again: counts from now
    at = 40_000;
    expect(typing.any()).toBe(true);
    expect(typing.cleared('b')).toBe(false); // older than 30 s: forgotten
    expect(typing.cleared('a')).toBe(true);
    expect(typing.cleared('a')).toBe(false);
  });
});
