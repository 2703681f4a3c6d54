import { describe, expect, it } from 'vitest';
import { parseWhatsAppMessage } from '../../../channels/whatsapp/index.js';
import { BOT_ID, fixtures, whatsappMessage, type MessageFixture } from './fake-client.js';

const receivedAt = 1_764_066_000_123;
const parse = (fixture: MessageFixture, overrides: Partial<MessageFixture> = {}, options = {}) =>
  parseWhatsAppMessage(whatsappMessage(fixture, overrides), { receivedAt, ...options });

describe('parseWhatsAppMessage', () => {
  it('normalizes a text message, keeping the library object as raw', () => {
    const message = whatsappMessage(fixtures.text, { id: fixtures.text.id });
    expect(parseWhatsAppMessage(message, { receivedAt })).toEqual({
      channel: 'whatsapp',
      chatId: '2250701020304@c.us',
      messageId: 'false_2250701020304@c.us_AC4F3E1B2D9A8C7E6F5D4C3B2A190817',
      kind: 'text',
      text: 'Bonjour, vous avez le pagne wax bleu en 6 yards ?',
      from: { id: '2250701020304@c.us', name: 'Awa Koné' },
      receivedAt,
      raw: message,
    });
  });

  it('reads the JSON form of a message too (the name from `_data`)', () => {
    expect(parseWhatsAppMessage(structuredClone(fixtures.text), { receivedAt })).toMatchObject({
      kind: 'text',
      from: { id: '2250701020304@c.us', name: 'Awa Koné' },
    });
  });

  it('takes the caption of an image as its words', () => {
    expect(parse(fixtures.imageWithCaption)).toMatchObject({ kind: 'photo', text: "C'est ce modèle en taille M ?" });
  });

  it.each([
    ['a voice note', fixtures.ptt, 'voice'],
    ['a sticker', fixtures.sticker, 'sticker'],
  ] as const)('gives %s its kind and no words', (_, fixture, kind) => {
    expect(parse(fixture)).toMatchObject({ kind, text: '' });
  });

  it('does not take the thumbnail in a location body for words', () => {
    expect(fixtures.location.body).toMatch(/^\/9j\//);
    expect(parse(fixtures.location)).toMatchObject({ kind: 'location', text: '', from: { name: 'Kofi' } });
  });

  it.each([
    ['audio', 'audio'],
    ['video', 'video'],
    ['document', 'document'],
    ['vcard', 'contact'],
    ['multi_vcard', 'contact'],
    ['poll_creation', 'poll'],
    ['album', 'photo'],
    ['order', 'other'],
    ['list_response', 'other'],
  ] as const)('maps type %s to kind %s', (type, kind) => {
    const parsed = parse(fixtures.text, { type, body: type === 'vcard' ? 'BEGIN:VCARD\nVERSION:3.0\nFN:Awa\nEND:VCARD' : '' });
    expect(parsed).toMatchObject({ kind, text: '' });
  });

  it('calls a GIF an animation and keeps a document caption', () => {
    expect(parse(fixtures.text, { type: 'video', isGif: true, body: '' })).toMatchObject({ kind: 'animation' });
    expect(parse(fixtures.text, { type: 'document', body: 'Ma commande' })).toMatchObject({ kind: 'document', text: 'Ma commande' });
  });

  it('accepts chats named by a linked id (@lid)', () => {
    expect(parse(fixtures.text, { from: '118219830452345@lid' })).toMatchObject({ chatId: '118219830452345@lid' });
  });

  it.each([
    ['its own messages', fixtures.fromMe, {}],
    ['status updates', fixtures.statusBroadcast, {}],
    ['broadcast lists', fixtures.text, { from: '1764066000@broadcast' }],
    ['channels (newsletters)', fixtures.text, { from: '120363025246125486@newsletter' }],
    ['group messages', fixtures.group, {}],
    ['deleted messages', fixtures.text, { type: 'revoked', body: '' }],
    ['security notices', fixtures.text, { type: 'e2e_notification', body: '' }],
    ['group notices', fixtures.text, { type: 'gp2', body: '' }],
    ['undecrypted messages', fixtures.text, { type: 'ciphertext', body: '' }],
    ['reactions', fixtures.text, { type: 'reaction', body: '👍' }],
  ] as const)('ignores %s', (_, fixture, overrides) => {
    expect(parse(fixture, overrides)).toBeNull();
  });

  it('ignores a message the bot sent from another device even if `from` is a customer', () => {
    const message = whatsappMessage(fixtures.text);
    expect(parseWhatsAppMessage({ ...message, id: { ...message.id, fromMe: true } })).toBeNull();
  });

  it('answers in a group only when groups are allowed and the bot is mentioned', () => {
    const mentioned = { mentionedIds: [BOT_ID], body: '@2250700000000 vous avez du bogolan ?' };
    expect(parse(fixtures.group, mentioned, { allowGroups: false, botId: BOT_ID })).toBeNull();
    expect(parse(fixtures.group, {}, { allowGroups: true, botId: BOT_ID })).toBeNull();
    expect(parse(fixtures.group, mentioned, { allowGroups: true })).toBeNull();
    expect(parse(fixtures.group, mentioned, { allowGroups: true, botId: BOT_ID })).toMatchObject({
      chatId: '120363041234567890@g.us',
      from: { id: '2250505060708@c.us', name: 'Kofi' },
      text: '@2250700000000 vous avez du bogolan ?',
    });
  });

  it.each([null, undefined, 42, 'text', [], {}, { id: {} }, { id: { _serialized: 'x' }, from: '', type: 'chat' }, { id: { _serialized: 'x' }, from: 'a@c.us' }])(
    'returns null for malformed input %#',
    (input) => {
      expect(parseWhatsAppMessage(input)).toBeNull();
    },
  );

  it('stamps the receipt time with the bot clock by default', () => {
    const before = Date.now();
    const parsed = parseWhatsAppMessage(whatsappMessage(fixtures.text));
    expect(parsed?.receivedAt).toBeGreaterThanOrEqual(before);
  });
});
