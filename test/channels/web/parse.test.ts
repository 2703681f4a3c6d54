import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVisitorIds, isRejection, parseWebMessage } from '../../../channels/web/index.js';

const ids = createVisitorIds(randomBytes(32));
const { visitorId, chatId } = ids.issue();
const options = { chatIdOf: ids.verify, receivedAt: 1_700_000_000_000 };

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('parseWebMessage', () => {
  it('makes a normalized text message: the chat is the visitor’s chat id, the id is the page’s', () => {
    expect(parseWebMessage({ visitorId, clientMessageId: 'm-1', text: ' Bonjour ' }, options)).toEqual({
      channel: 'web',
      chatId,
      messageId: 'm-1',
      kind: 'text',
      text: 'Bonjour',
      from: { id: chatId },
      receivedAt: options.receivedAt,
      raw: { clientMessageId: 'm-1', text: ' Bonjour ', kind: 'text' },
    });
    expect(chatId).toHaveLength(22);
    expect(visitorId.startsWith(chatId)).toBe(true);
  });

  it('takes a non-text kind with an empty text, and a text of any length (the abuse guard judges length)', () => {
    expect(parseWebMessage({ visitorId, clientMessageId: 'm-2', text: '', kind: 'photo' }, options)).toMatchObject({ kind: 'photo', text: '' });
    expect(parseWebMessage({ visitorId, clientMessageId: 'm-3', text: 'x'.repeat(3000) }, options)).toMatchObject({ kind: 'text' });
  });

  it.each([
    ['not an object', 'Bonjour', 'invalid_message'],
    ['an array', [], 'invalid_message'],
    ['a short visitor id', { visitorId: 'abc', clientMessageId: 'm', text: 'x' }, 'invalid_visitor'],
    ['an invented visitor id of the right shape', { visitorId: randomBytes(33).toString('base64url'), clientMessageId: 'm', text: 'x' }, 'invalid_visitor'],
    ['another server’s visitor id', { visitorId: createVisitorIds(randomBytes(32)).issue().visitorId, clientMessageId: 'm', text: 'x' }, 'invalid_visitor'],
    ['a visitor id with its signature altered', { visitorId: `${visitorId.slice(0, -5)}${visitorId.at(-5) === 'A' ? 'B' : 'A'}${visitorId.slice(-4)}`, clientMessageId: 'm', text: 'x' }, 'invalid_visitor'],
    // The last character has spare bits: another spelling of the same signature is not the id the server issued.
    ['a visitor id spelled another way', { visitorId: `${visitorId.slice(0, -1)}${BASE64URL[BASE64URL.indexOf(visitorId.at(-1)!) ^ 1]}`, clientMessageId: 'm', text: 'x' }, 'invalid_visitor'],
    ['a bare chat id', { visitorId: chatId, clientMessageId: 'm', text: 'x' }, 'invalid_visitor'],
    ['no client message id', { visitorId, text: 'x' }, 'invalid_message'],
    ['a number as text', { visitorId, clientMessageId: 'm', text: 42 }, 'invalid_message'],
    ['an unknown kind', { visitorId, clientMessageId: 'm', text: 'x', kind: 'html' }, 'invalid_message'],
    ['an empty text', { visitorId, clientMessageId: 'm', text: ' \n ' }, 'invalid_message'],
  ])('refuses %s with 400', (_case, body, error) => {
    const result = parseWebMessage(body, options);
    expect(isRejection(result) && { status: result.status, error: result.error }).toEqual({ status: 400, error });
  });
});
