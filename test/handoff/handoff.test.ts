import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandoff, CUSTOMER_HANDOFF_LINE, HandoffError } from '../../src/handoff/index.js';
import { createLogger } from '../../src/infra/logger.js';
import { composeObservers } from '../../src/records/observers.js';
import type { ReplyEvent } from '../../src/core/observer.js';
import type { Engine } from '../../src/core/engine.js';
import { createRecordingChannel, createScriptedResponder, createTestEngine, customerMessage, FALLBACK } from '../support/engine-harness.js';

const logger = createLogger({ level: 'silent' });
const flush = () => vi.advanceTimersByTimeAsync(0);

function setup(dataDir?: string) {
  const channel = createRecordingChannel('telegram');
  const notices: [string, string][] = [];
  const recorded: ReplyEvent[] = [];
  let engine: Engine | undefined;
  const handoff = createHandoff({
    dataDir,
    notifyOwner: async (key, text) => void notices.push([key, text]),
    say: async (name, chatId, text, kind) => (name === 'telegram' && engine ? engine.say(channel, chatId, text, kind) : false),
    logger,
  });
  const responder = createScriptedResponder();
  // What the records see: every message that left through the chat's way out, the owner's included.
  const records = { replySent: (event: ReplyEvent) => void (event.kind === 'human' || event.kind === 'handoff' ? recorded.push(event) : undefined) };
  ({ engine } = createTestEngine(responder, {
    observer: composeObservers([records, handoff.observer], logger),
    isHandedOff: handoff.isHandedOff,
    replyDeadlineMs: 8000,
    lateAnswerMs: 1000,
  }));
  const say = (text: string, chatId = '42') => engine!.receive(customerMessage(chatId, text, 'text', 'telegram'), channel);
  return { channel, notices, recorded, handoff, responder, engine: engine!, say };
}

describe('human handoff', () => {
  let dir: string;
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-11-24T18:32:00Z') });
    dir = mkdtempSync(join(tmpdir(), 'akwaba-handoff-'));
  });
  afterEach(async () => {
    vi.useRealTimers();
    // A handed-back chat is saved in the background (`void persist()`): let that write land
    // before the folder goes, or the removal races it (ENOTEMPTY).
    await new Promise((resolve) => setTimeout(resolve, 50));
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  });

  it('a customer who asks for a person gets one line, the owner the context, and the bot goes quiet until handed back', async () => {
    const { channel, notices, recorded, handoff, responder, say } = setup(dir);
    say('Bonjour, je cherche une robe pour un mariage');
    await flush();
    responder.answer(0, 'Bonjour ! 👗 Nous avons la Robe Cocktail Bordeaux.');
    await flush();
    say('je veux parler à quelqu’un');
    await flush();
    expect(channel.texts('42')).toEqual(['Bonjour ! 👗 Nous avons la Robe Cocktail Bordeaux.', CUSTOMER_HANDOFF_LINE]);
    expect(responder.calls).toHaveLength(1);
    expect(handoff.isHandedOff('telegram', '42')).toBe(true);
    expect(recorded).toMatchObject([{ kind: 'handoff', chatId: '42', text: CUSTOMER_HANDOFF_LINE }]);
    expect(notices).toHaveLength(1);
    expect(notices[0]![1]).toBe(
      [
        '🙋 Awa demande à parler à une personne (Telegram).',
        '',
        'Derniers messages :',
        '👤 Bonjour, je cherche une robe pour un mariage',
        '🤖 Bonjour ! 👗 Nous avons la Robe Cocktail Bordeaux.',
        '👤 je veux parler à quelqu’un',
        '',
        'Le bot se tait dans cette conversation. Répondez depuis le tableau de bord (/admin), puis rendez la main au bot.',
      ].join('\n'),
    );

    say('Allô ?');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(channel.texts('42')).toHaveLength(2); // no fallback, no answer: a person holds the chat
    expect(notices[1]![1]).toContain('💬 Awa (Telegram) vous écrit :\n👤 Allô ?');
    expect(handoff.list()).toMatchObject([{ channel: 'telegram', chatId: '42', reason: 'request', customerName: 'Awa', unread: 2 }]);

    await handoff.reply('telegram', '42', '  Bonjour Awa, c’est Aya de la boutique. La bordeaux en M est dispo.  ');
    expect(channel.texts('42').at(-1)).toBe('Bonjour Awa, c’est Aya de la boutique. La bordeaux en M est dispo.');
    expect(recorded.at(-1)).toMatchObject({ kind: 'human', chatId: '42' });
    expect(handoff.list()[0]!.unread).toBe(0);

    await handoff.handBack('telegram', '42');
    expect(handoff.list()).toEqual([]);
    say('Merci ! Je la prends');
    await flush();
    responder.answer(1, 'Excellent choix ! 🎉');
    await flush();
    expect(channel.texts('42').at(-1)).toBe('Excellent choix ! 🎉');
  });

  it('three unrecovered fallbacks within 10 minutes hand the chat over, and the customer is told a person is coming', async () => {
    const { channel, notices, handoff, say } = setup();
    say('Bonjour');
    await vi.advanceTimersByTimeAsync(8000);
    expect(channel.texts('42')).toEqual([FALLBACK]);
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    say('Allô ?');
    await vi.advanceTimersByTimeAsync(8000);
    expect(channel.texts('42').filter((t) => t === FALLBACK)).toHaveLength(2);
    expect(handoff.isHandedOff('telegram', '42')).toBe(false);
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    say('Vous êtes là ?');
    await vi.advanceTimersByTimeAsync(8000);
    expect(channel.texts('42').filter((t) => t === FALLBACK)).toHaveLength(3);
    expect(handoff.isHandedOff('telegram', '42')).toBe(true);
    expect(channel.texts('42')).toContain(CUSTOMER_HANDOFF_LINE);
    expect(notices[0]![1]).toMatch(/^🙋 Awa a reçu 3 réponses de secours en 10 minutes \(Telegram\)/);
    expect(handoff.list()[0]!.reason).toBe('fallbacks');
  });

  it('fallbacks that were each followed by the late answer (a slow day) hand no one over', async () => {
    const { handoff, responder, say, channel } = setup();
    for (let turn = 0; turn < 4; turn++) {
      say(`question ${turn}`);
      await vi.advanceTimersByTimeAsync(8500); // past the deadline, inside the late-answer window
      responder.answer(turn, `réponse ${turn}`);
      await vi.advanceTimersByTimeAsync(60_000);
    }
    expect(channel.texts('42').filter((t) => t === FALLBACK)).toHaveLength(4);
    expect(handoff.isHandedOff('telegram', '42')).toBe(false);
  });

  it('fallbacks far apart do not hand the chat over', async () => {
    const { handoff, say } = setup();
    say('Bonjour');
    await vi.advanceTimersByTimeAsync(8000 + 11 * 60_000);
    say('Allô ?');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(handoff.isHandedOff('telegram', '42')).toBe(false);
  });

  it('a restart keeps the bot quiet in handed-off chats', async () => {
    const first = setup(dir);
    first.say('un humain svp');
    await flush();
    await first.handoff.takeOver('telegram', '7');
    const second = setup(dir);
    expect(second.handoff.isHandedOff('telegram', '42')).toBe(true);
    expect(second.handoff.list().map((c) => [c.chatId, c.reason])).toEqual([
      ['42', 'request'],
      ['7', 'owner'],
    ]);
    await second.handoff.handBack('telegram', '42');
    expect(setup(dir).handoff.isHandedOff('telegram', '42')).toBe(false);
  });

  it('gives a forgotten chat back to the bot after 12 hours without the owner', async () => {
    const { handoff, say } = setup(dir);
    say('je veux parler à un conseiller');
    await flush();
    await vi.advanceTimersByTimeAsync(11 * 3_600_000);
    await handoff.reply('telegram', '42', 'Je reviens vers vous demain matin.');
    await vi.advanceTimersByTimeAsync(11 * 3_600_000);
    expect(handoff.isHandedOff('telegram', '42')).toBe(true);
    await vi.advanceTimersByTimeAsync(1 * 3_600_000);
    expect(handoff.isHandedOff('telegram', '42')).toBe(false);
  });

  it('asking for advice is not asking for a person', async () => {
    const { handoff, say } = setup();
    say('pouvez-vous me conseiller une robe ?');
    await flush();
    expect(handoff.isHandedOff('telegram', '42')).toBe(false);
  });

  it('refuses an empty reply, and says when the channel cannot send', async () => {
    const { handoff } = setup();
    await expect(handoff.reply('telegram', '42', '   ')).rejects.toMatchObject({ name: 'HandoffError', code: 'empty_reply' });
    const error = await handoff.reply('whatsapp', '9', 'Bonjour').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandoffError);
    expect(error).toMatchObject({ code: 'channel_unavailable' });
  });
});
