import { describe, expect, it } from 'vitest';
import { isRejection, parseWebMessage } from '../../../channels/web/index.js';

const options = { maxMessageChars: 20, receivedAt: 1_700_000_000_000 };
const visitorId = 'k2P9x7Qw4RtZ8mNa_-01';

describe('parseWebMessage', () => {
  it('makes a normalized text message: the chat is the visitor, the id is the page’s', () => {
    expect(parseWebMessage({ visitorId, clientMessageId: 'm-1', text: ' Bonjour ' }, options)).toEqual({
      channel: 'web',
      chatId: visitorId,
      messageId: 'm-1',
      kind: 'text',
      text: 'Bonjour',
      from: { id: visitorId },
      receivedAt: options.receivedAt,
      raw: { visitorId, clientMessageId: 'm-1', text: ' Bonjour ', kind: 'text' },
    });
  });

  it('takes a non-text kind with an empty text', () => {
    expect(parseWebMessage({ visitorId, clientMessageId: 'm-2', text: '', kind: 'photo' }, options)).toMatchObject({ kind: 'photo', text: '' });
  });

  it.each([
    ['not an object', 'Bonjour', 400, 'invalid_message'],
    ['an array', [], 400, 'invalid_message'],
    ['a short visitor id', { visitorId: 'abc', clientMessageId: 'm', text: 'x' }, 400, 'invalid_visitor'],
    ['a visitor id with spaces', { visitorId: 'a b c d e f g h i j k', clientMessageId: 'm', text: 'x' }, 400, 'invalid_visitor'],
    ['a too long visitor id', { visitorId: 'a'.repeat(65), clientMessageId: 'm', text: 'x' }, 400, 'invalid_visitor'],
    ['no client message id', { visitorId, text: 'x' }, 400, 'invalid_message'],
    ['a number as text', { visitorId, clientMessageId: 'm', text: 42 }, 400, 'invalid_message'],
    ['an unknown kind', { visitorId, clientMessageId: 'm', text: 'x', kind: 'html' }, 400, 'invalid_message'],
    ['an empty text', { visitorId, clientMessageId: 'm', text: ' \n ' }, 400, 'invalid_message'],
    ['a text over the limit', { visitorId, clientMessageId: 'm', text: 'x'.repeat(21) }, 413, 'too_long'],
  ])('refuses %s', (_case, body, status, error) => {
    const result = parseWebMessage(body, options);
    expect(isRejection(result) && { status: result.status, error: result.error }).toEqual({ status, error });
  });
});
