import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCloudWebhook } from '../../../channels/whatsapp-cloud/index.js';
import { garbage, seededRandom, type Json } from '../../fuzz/garbage.js';

const PHONE_NUMBER_ID = '106540352242922';
const KINDS = ['text', 'photo', 'video', 'voice', 'audio', 'sticker', 'location', 'contact', 'document', 'other'];
const receivedAt = 1_764_876_000_123;
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/whatsapp-cloud/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const parse = (payload: unknown) => parseCloudWebhook(payload, { phoneNumberId: PHONE_NUMBER_ID, receivedAt });
const messageOf = (payload: unknown) => parse(payload).messages[0];
const rawMessage = (payload: Record<string, unknown>) =>
  (payload as { entry: { changes: { value: { messages: unknown[] } }[] }[] }).entry[0]!.changes[0]!.value.messages[0];

describe('parseCloudWebhook', () => {
  it('normalizes a text message: the chat is the customer wa_id, the id the wamid, the name from contacts, raw the message', () => {
    const payload = fixture('text');
    expect(parse(payload)).toEqual({
      messages: [
        {
          channel: 'whatsapp',
          chatId: '2250701020304',
          messageId: 'wamid.HBgMMjI1MDcwMTAyMDMwNBUCABIYFjNFQjBBMUMyRDNFNEY1QTZCN0M4RDkA',
          kind: 'text',
          text: 'Bonjour, vous avez la robe en wax bleu en taille M ?',
          from: { id: '2250701020304', name: 'Awa Koné' },
          receivedAt,
          raw: rawMessage(payload),
        },
      ],
      statuses: [],
      errors: [],
    });
  });

  it.each([
    ['image-with-caption', 'photo', 'Celle-ci existe en L ?'],
    ['image', 'photo', ''],
    ['voice', 'voice', ''],
    ['audio-file', 'audio', ''],
    ['sticker', 'sticker', ''],
    ['location', 'location', ''],
    ['contacts', 'contact', ''],
    ['unsupported', 'other', ''],
  ])('reads %s as kind %s with words "%s"', (name, kind, text) => {
    expect(messageOf(fixture(name))).toMatchObject({ kind, text, chatId: '2250701020304' });
  });

  it('keeps a voice note media id in raw, for the download', () => {
    expect(messageOf(fixture('voice'))?.raw).toMatchObject({ audio: { id: '1233458201384765', voice: true, mime_type: 'audio/ogg; codecs=opus' } });
  });

  it.each([
    ['interactive-button-reply', 'Taille M', { interactive: { button_reply: { id: 'size-M' } } }],
    ['interactive-list-reply', 'Marcory', { interactive: { list_reply: { id: 'zone-marcory' } } }],
    ['button-template-reply', 'Oui, je confirme', { button: { payload: 'CONFIRM_ORDER' } }],
  ])('reads a tapped choice (%s) as a text with its title, the id kept in raw', (name, text, raw) => {
    const message = messageOf(fixture(name));
    expect(message).toMatchObject({ kind: 'text', text });
    expect(message?.raw).toMatchObject(raw);
  });

  it.each(['constructor', '__proto__', 'toString', 'order'])('reads an unknown type (%s) as something it cannot read', (type) => {
    const payload = fixture('text');
    Object.defineProperty(rawMessage(payload) as object, 'type', { value: type, enumerable: true });
    expect(messageOf(payload)).toMatchObject({ kind: 'other', text: '' });
  });

  it.each(['reaction', 'system', 'group', 'other-number'])('leaves out %s', (name) => {
    expect(parse(fixture(name)).messages).toEqual([]);
  });

  it('reads every message and status of a batch, each customer with their own name', () => {
    const events = parse(fixture('batch'));
    expect(events.messages.map((message) => [message.chatId, message.from.name, message.text])).toEqual([
      ['2250701020304', 'Awa Koné', 'Vous livrez à Marcory ?'],
      ['2250505060708', 'Kofi Mensah', 'Le boubou brodé existe en XL ?'],
    ]);
    expect(events.statuses).toEqual([
      { messageId: 'wamid.HBgMMjI1MDcwMTAyMDMwNBUCABEYEjhGQzNEMDVBNTUyRkQ4QzM4SAA=', status: 'read', recipientId: '2250701020304', errors: [] },
    ]);
  });

  it('reads statuses with their errors, and errors about the account', () => {
    expect(parse(fixture('status-delivered')).statuses).toMatchObject([{ status: 'delivered', errors: [] }]);
    expect(parse(fixture('status-failed-131047')).statuses).toEqual([
      {
        messageId: 'wamid.HBgMMjI1MDcwMTAyMDMwNBUCABEYEjhGQzNEMDVBNTUyRkQ4QzM4RwA=',
        status: 'failed',
        recipientId: '2250701020304',
        errors: [
          {
            code: 131047,
            title: 'Re-engagement message',
            details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
          },
        ],
      },
    ]);
    expect(parse(fixture('account-error-130429')).errors).toEqual([
      { code: 130429, title: 'Rate limit hit', details: expect.stringContaining('too many messages') },
    ]);
  });

  it.each([null, 42, 'text', [], {}, { object: 'page', entry: [] }, { object: 'whatsapp_business_account', entry: 'x' }])(
    'finds nothing in %j',
    (payload) => {
      expect(parse(payload)).toEqual({ messages: [], statuses: [], errors: [] });
    },
  );

  it('never throws on mangled payloads, and whatever it returns is well-formed (seeded fuzz)', () => {
    const seed = Number(process.env.FUZZ_SEED ?? 17);
    const random = seededRandom(seed);
    const { value, pick, int } = garbage(random);
    const names = ['text', 'unsupported', 'image-with-caption', 'voice', 'interactive-list-reply', 'batch', 'status-failed-131047'];
    /** Replaces one value somewhere in the payload, at a random depth. */
    const mangle = (target: Json, depth = 0): Json => {
      if (target === null || typeof target !== 'object' || depth > 8) return value();
      const keys = Array.isArray(target) ? target.map((_, index) => String(index)) : Object.keys(target);
      if (keys.length === 0 || random() < 0.15) return value();
      const key = pick(keys);
      const inner = (target as Record<string, Json>)[key] ?? null;
      (target as Record<string, Json>)[key] = random() < 0.7 ? mangle(inner, depth + 1) : value();
      return target;
    };
    for (let round = 0; round < 2000; round += 1) {
      let payload = fixture(pick(names)) as Json;
      for (let times = 1 + int(3); times > 0; times -= 1) payload = mangle(payload);
      const events = parse(payload);
      for (const message of events.messages) {
        expect(message.chatId, `seed ${seed}, round ${round}`).toMatch(/.+/);
        expect(typeof message.messageId).toBe('string');
        expect(typeof message.text).toBe('string');
        expect(message.channel).toBe('whatsapp');
        expect(KINDS).toContain(message.kind);
      }
      for (const status of events.statuses) expect(typeof status.messageId).toBe('string');
    }
  });
});
