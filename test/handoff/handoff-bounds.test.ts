import { describe, expect, it } from 'vitest';
import type { ReplyEvent } from '../../src/core/observer.js';
import { createHandoff } from '../../src/handoff/index.js';
import { createLogger } from '../../src/infra/logger.js';
import { customerMessage } from '../support/engine-harness.js';

const at = Date.parse('2026-11-24T18:32:00Z');
const fallback = (chatId: string): ReplyEvent => ({ channel: 'telegram', chatId, kind: 'fallback', text: 'Un instant…', at, messageIds: [] });

function setup() {
  const notices: string[] = [];
  const handoff = createHandoff({
    notifyOwner: async (_key, text) => void notices.push(text),
    say: async () => true,
    logger: createLogger({ level: 'silent' }),
    now: () => at,
  });
  return { handoff, notices };
}

describe('handoff memory stays bounded', () => {
  it('counts fallbacks for the most recent 1000 chats only', () => {
    const { handoff } = setup();
    handoff.observer.replySent!(fallback('A'));
    handoff.observer.replySent!(fallback('A'));
    for (let i = 0; i < 5000; i += 1) handoff.observer.replySent!(fallback(`other-${i}`));
    handoff.observer.replySent!(fallback('A')); // its first two were forgotten: no handoff yet
    expect(handoff.list().map((chat) => chat.chatId)).not.toContain('A');

    handoff.observer.replySent!(fallback('B'));
    handoff.observer.replySent!(fallback('B'));
    handoff.observer.replySent!(fallback('B'));
    expect(handoff.list().map((chat) => chat.chatId)).toContain('B');
  });

  it('keeps what the most recent 1000 chats said, for the owner, and forgets the older ones', () => {
    const { handoff, notices } = setup();
    const message = (chatId: string, text: string, name: string) => ({ ...customerMessage(chatId, text, 'text', 'telegram'), from: { id: chatId, name } });
    handoff.observer.messageReceived!(message('old', 'Bonjour', 'Awa'));
    handoff.observer.messageReceived!(message('recent', 'Bonjour', 'Koffi'));
    for (let i = 0; i < 5000; i += 1) handoff.observer.messageReceived!(message(`other-${i}`, 'Bonjour', 'Yao'));
    handoff.observer.messageReceived!(message('recent', 'Bonsoir', 'Koffi'));
    for (let i = 0; i < 998; i += 1) handoff.observer.messageReceived!(message(`again-${i}`, 'Bonjour', 'Yao'));

    handoff.observer.messageReceived!({ ...message('old', 'je veux parler à quelqu’un', ''), from: { id: 'old' } });
    handoff.observer.messageReceived!({ ...message('recent', 'je veux parler à quelqu’un', ''), from: { id: 'recent' } });
    expect(notices[0]).toContain('Client old');
    expect(notices[1]).toContain('Koffi');
  });
});
