import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseTelegramUpdate, type ParseOptions } from '../../../channels/telegram/parse.js';
import type { MessageKind } from '../../../src/core/message.js';

/** Parses a fixture afresh each time, so `raw` can be checked for identity with what was passed. */
function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../fixtures/telegram/${name}.json`, import.meta.url), 'utf8'));
}

const RECEIVED_AT = 1_732_531_030_123;
const BOT = { id: 7012345678, username: 'mode_ivoire_bot' } as const;
const GROUPS: ParseOptions = { allowGroups: true, bot: BOT, receivedAt: RECEIVED_AT };

describe('parseTelegramUpdate: private chats', () => {
  it('normalizes a text message, keeping the payload untouched as raw', () => {
    const update = fixture('private-text');
    const before = JSON.stringify(update);

    const message = parseTelegramUpdate(update, { receivedAt: RECEIVED_AT });

    expect(message).toEqual({
      channel: 'telegram',
      chatId: '6012345678',
      messageId: '1021',
      kind: 'text',
      text: 'Bonjour, je cherche une robe pour un mariage',
      from: { id: '6012345678', name: 'Aya Kouassi', username: 'aya_kouassi' },
      receivedAt: RECEIVED_AT,
      raw: update,
    });
    expect(message?.raw).toBe(update);
    expect(JSON.stringify(update)).toBe(before);
  });

  it('keeps accents and emoji, and leaves out name parts and username the sender has not set', () => {
    const message = parseTelegramUpdate(fixture('private-text-accents-emoji'), { receivedAt: RECEIVED_AT });

    expect(message?.text).toBe('Ça coûte combien, le pagne wax à fleurs ? 😍🇨🇮 Je suis à Yopougon');
    expect(message?.kind).toBe('text');
    expect(message?.from).toStrictEqual({ id: '5123456789', name: 'Adjoua' });
  });

  it('passes a 20,000-character text through whole (splitting is for replies, not input)', () => {
    const update = fixture('private-text-20000') as { message: { text: string } };
    const message = parseTelegramUpdate(update, { receivedAt: RECEIVED_AT });

    expect(message?.text).toHaveLength(20_000);
    expect(message?.text).toBe(update.message.text);
  });

  it.each<[fixture: string, kind: MessageKind, text: string]>([
    ['private-photo-caption', 'photo', 'Vous avez ce modèle en rouge ?'],
    ['private-photo', 'photo', ''],
    ['private-voice', 'voice', ''],
    ['private-video-note', 'video', ''],
    ['private-sticker', 'sticker', ''],
    ['private-animation', 'animation', ''],
    ['private-location', 'location', ''],
    ['private-venue', 'location', ''],
    ['private-contact', 'contact', ''],
    ['private-document', 'document', 'Voici mes mesures'],
    ['private-poll', 'poll', ''],
  ])('%s is a %s message with text %j', (name, kind, text) => {
    const update = fixture(name);
    const message = parseTelegramUpdate(update, { receivedAt: RECEIVED_AT });

    expect(message).not.toBeNull();
    expect(message?.kind).toBe(kind);
    expect(message?.text).toBe(text);
    expect(message?.chatId).toBe('6012345678');
    expect(message?.messageId).toMatch(/^\d+$/);
    expect(message?.from).toStrictEqual({ id: '6012345678', name: 'Aya Kouassi', username: 'aya_kouassi' });
    expect(message?.receivedAt).toBe(RECEIVED_AT);
    expect(message?.raw).toBe(update);
  });

  describe('without receivedAt', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('stamps the bot clock at parse time, not the Telegram date', () => {
      vi.useFakeTimers();
      vi.setSystemTime(1_750_000_000_000);

      expect(parseTelegramUpdate(fixture('private-text'))?.receivedAt).toBe(1_750_000_000_000);
    });
  });
});

describe('parseTelegramUpdate: what the bot does not answer', () => {
  it.each([
    'edited-message',
    'channel-post',
    'my-chat-member',
    'malformed-missing-chat',
    'malformed-chat-id-object',
    'malformed-message-string',
    'malformed-null',
    'malformed-array',
    'malformed-number',
  ])('%s → null, without throwing, even with groups allowed', (name) => {
    expect(parseTelegramUpdate(fixture(name), { receivedAt: RECEIVED_AT })).toBeNull();
    expect(parseTelegramUpdate(fixture(name), GROUPS)).toBeNull();
  });

  it('ignores another bot, even one that mentions this bot in an allowed group', () => {
    expect(parseTelegramUpdate(fixture('supergroup-from-bot'), GROUPS)).toBeNull();
  });

  it('ignores undefined and an empty object', () => {
    expect(parseTelegramUpdate(undefined)).toBeNull();
    expect(parseTelegramUpdate({})).toBeNull();
  });
});

describe('parseTelegramUpdate: button presses (callback_query)', () => {
  it('is a text message: the label as text, the callback data as action, its own id per press', () => {
    const update = fixture('callback-query');
    const message = parseTelegramUpdate(update, { receivedAt: RECEIVED_AT });

    expect(message).toEqual({
      channel: 'telegram',
      chatId: '6012345678',
      messageId: 'cb:4382bfdwdsb323b2d9',
      kind: 'text',
      text: 'M',
      action: 'size:M',
      from: { id: '6012345678', name: 'Aya Kouassi', username: 'aya_kouassi' },
      receivedAt: RECEIVED_AT,
      raw: update,
    });
  });

  it('keeps the data as text when the label cannot be read back (keyboard gone from the message)', () => {
    const update = fixture('callback-query') as { callback_query: { message: Record<string, unknown> } };
    delete update.callback_query.message.reply_markup;
    expect(parseTelegramUpdate(update)).toMatchObject({ text: 'size:M', action: 'size:M' });
  });

  it.each([
    ['no data (a game button)', (q: Record<string, unknown>) => delete q.data],
    ['data over 64 bytes', (q: Record<string, unknown>) => (q.data = 'x'.repeat(65))],
    ['no message (an inline-mode message)', (q: Record<string, unknown>) => delete q.message],
    ['a bot pressing', (q: Record<string, unknown>) => ((q.from as Record<string, unknown>).is_bot = true)],
    ['no id', (q: Record<string, unknown>) => delete q.id],
    ['a group chat', (q: Record<string, unknown>) => (((q.message as Record<string, unknown>).chat as Record<string, unknown>).type = 'group')],
  ])('is ignored with %s', (_name, spoil) => {
    const update = fixture('callback-query') as { callback_query: Record<string, unknown> };
    spoil(update.callback_query);
    expect(parseTelegramUpdate(update, { receivedAt: RECEIVED_AT })).toBeNull();
  });

  it('is taken in an allowed group', () => {
    const update = fixture('callback-query') as { callback_query: { message: { chat: Record<string, unknown> } } };
    update.callback_query.message.chat = { id: -4567890123, type: 'group', title: 'Clientes' };
    expect(parseTelegramUpdate(update, GROUPS)).toMatchObject({ chatId: '-4567890123', action: 'size:M' });
  });
});

describe('parseTelegramUpdate: groups', () => {
  const groupFixtures = ['group-mention', 'group-reply-to-bot', 'group-unaddressed', 'supergroup-mention'];

  it.each(groupFixtures)('%s is ignored by default', (name) => {
    expect(parseTelegramUpdate(fixture(name), { receivedAt: RECEIVED_AT })).toBeNull();
    expect(parseTelegramUpdate(fixture(name), { bot: BOT, receivedAt: RECEIVED_AT })).toBeNull();
  });

  it.each(groupFixtures)('%s is ignored when groups are allowed but the bot is unknown', (name) => {
    expect(parseTelegramUpdate(fixture(name), { allowGroups: true, receivedAt: RECEIVED_AT })).toBeNull();
  });

  it('answers a mention whatever its case, with the group as the chat and the person as sender', () => {
    const update = fixture('group-mention');
    const message = parseTelegramUpdate(update, GROUPS);

    expect(message).toEqual({
      channel: 'telegram',
      chatId: '-4567890123',
      messageId: '311',
      kind: 'text',
      text: '@Mode_Ivoire_Bot vous avez la robe bleue en taille M ?',
      from: { id: '1987654321', name: 'Koffi Yao', username: 'koffi_yao' },
      receivedAt: RECEIVED_AT,
      raw: update,
    });
    expect(message?.raw).toBe(update);
  });

  it('answers a reply to one of its own messages', () => {
    const message = parseTelegramUpdate(fixture('group-reply-to-bot'), GROUPS);

    expect(message).toMatchObject({ chatId: '-4567890123', messageId: '313', text: 'La M, livrée à Cocody svp' });
  });

  it('does not answer a reply to the bot when told a different bot id', () => {
    expect(parseTelegramUpdate(fixture('group-reply-to-bot'), { ...GROUPS, bot: { id: 1, username: 'autre_bot' } })).toBeNull();
  });

  it('treats a supergroup like a group', () => {
    const message = parseTelegramUpdate(fixture('supergroup-mention'), GROUPS);

    expect(message).toMatchObject({
      chatId: '-1002233445566',
      messageId: '5012',
      kind: 'text',
      from: { id: '6012345678', name: 'Aya Kouassi', username: 'aya_kouassi' },
    });
  });

  it('ignores a message addressed to nobody', () => {
    expect(parseTelegramUpdate(fixture('group-unaddressed'), GROUPS)).toBeNull();
  });

  it('ignores a mention of another account whose username merely starts with the bot username', () => {
    // "@mode_ivoire_bot_support" is a different account; Telegram usernames are [A-Za-z0-9_].
    expect(parseTelegramUpdate(fixture('group-mention-lookalike'), GROUPS)).toBeNull();
  });
});
