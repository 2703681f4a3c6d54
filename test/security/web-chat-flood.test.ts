/**
 * The web chat against one hostile client, over real HTTP on loopback (issue #13, items 1
 * and 2). Two client addresses are real TCP peers (127.0.0.1 and 127.0.0.2); a reverse proxy
 * is played by forwarding headers. Loops are bounded and small caps stand in for the defaults.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IncomingMessage } from '../../src/core/message.js';
import { clientFrom, type HeldStream } from '../support/from-address.js';
import { inventedVisitorId, startWebChat, type WebChatServer } from '../channels/web/server.js';

const attacker = clientFrom('127.0.0.1');
const neighbour = clientFrom('127.0.0.2');
const wait = { timeout: 5000, interval: 20 };

describe('the web chat against a flood from one client', () => {
  let chat: WebChatServer;
  let received: IncomingMessage[];
  let dataDir: string | undefined;
  const held: HeldStream[] = [];

  async function start(options: Parameters<typeof startWebChat>[0]) {
    chat = await startWebChat(options);
    received = [];
    await chat.channel.start((message, channel) => {
      received.push(message);
      void channel.sendText(message.chatId, `Réponse à : ${message.text}`);
    });
  }

  afterEach(async () => {
    for (const stream of held.splice(0)) stream.close();
    await chat.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  const visitorFrom = async (client = attacker, headers: Record<string, string> = {}) => {
    const answer = await client.postJson(`${chat.url}/chat/visitors`, {}, headers);
    return answer.status === 201 ? answer.json<{ visitorId: string }>().visitorId : undefined;
  };

  it('one client opening streams up to the server’s total gets its share only; a neighbour still chats', async () => {
    await start({ maxStreams: 30, streamsPerAddress: 5, visitorsPerAddressPerHour: 40 });
    let open = 0;
    let refused = 0;
    for (let n = 0; n < 40; n += 1) {
      const visitor = await visitorFrom();
      const stream = await attacker.hold(`${chat.url}/chat/events?visitor=${visitor}`);
      held.push(stream);
      if (stream.status === 200) open += 1;
      else if (stream.status === 429) refused += 1;
    }
    expect(open).toBe(5);
    expect(refused).toBe(35);

    const visitor = await visitorFrom(neighbour);
    expect(visitor).toBeDefined();
    const own = await neighbour.hold(`${chat.url}/chat/events?visitor=${visitor}`);
    held.push(own);
    expect(own.status).toBe(200);
    const sent = await neighbour.postJson(`${chat.url}/chat/messages`, { visitorId: visitor, clientMessageId: 'n1', text: 'Bonjour, vous êtes ouverts ?' });
    expect(sent.status).toBe(202);
    await vi.waitFor(async () => {
      const history = await neighbour.send('GET', `${chat.url}/chat/history?visitor=${visitor}`);
      expect(history.json<{ messages: { text: string }[] }>().messages.map((m) => m.text)).toContain('Réponse à : Bonjour, vous êtes ouverts ?');
    }, wait);
  });

  it('invented visitor ids are refused: no message reaches the bot, no chat is kept, nothing is paid for', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'akwaba-flood-'));
    await start({ dataDir });
    const statuses = new Map<number, number>();
    for (let n = 0; n < 100; n += 1) {
      const answer = await attacker.postJson(`${chat.url}/chat/messages`, { visitorId: inventedVisitorId(), clientMessageId: `m${n}`, text: `spam ${n}` });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 400: 100 });
    expect(received).toEqual([]);
    await chat.channel.close();
    expect(readdirSync(join(dataDir, 'web-chat', 'visitors'))).toEqual([]);
  });

  it('one client gets a bounded number of new visitors per hour; a neighbour still gets one', async () => {
    await start({ visitorsPerAddressPerHour: 10 });
    const answers = [];
    for (let n = 0; n < 100; n += 1) answers.push(await attacker.postJson(`${chat.url}/chat/visitors`, {}));

    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(10);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused).toHaveLength(90);
    expect(Number(refused[0]!.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused[0]!.json()).toMatchObject({ error: 'too_many_visitors', message: expect.stringContaining('Trop de nouvelles conversations') });
    expect(await visitorFrom(neighbour)).toBeDefined();
    // A visitor who already has an id keeps it, whatever the address's allowance.
    const kept = answers[0]!.json<{ visitorId: string }>().visitorId;
    expect((await attacker.postJson(`${chat.url}/chat/visitors`, { visitorId: kept })).json()).toEqual({ visitorId: kept });
  });

  it('one client sends a bounded number of messages per minute, whatever visitors it holds; a neighbour is answered', async () => {
    await start({ visitorsPerAddressPerHour: 10, messagesPerAddressPerMinute: 20 });
    const visitors = [];
    for (let n = 0; n < 10; n += 1) visitors.push(await visitorFrom());
    const statuses: number[] = [];
    for (let n = 0; n < 100; n += 1) {
      const answer = await attacker.postJson(`${chat.url}/chat/messages`, { visitorId: visitors[n % 10], clientMessageId: `m${n}`, text: `message ${n}` });
      statuses.push(answer.status);
    }
    expect(statuses.filter((status) => status === 202)).toHaveLength(20);
    expect(statuses.filter((status) => status === 429)).toHaveLength(80);
    expect(received).toHaveLength(20);

    const visitor = await visitorFrom(neighbour);
    expect((await neighbour.postJson(`${chat.url}/chat/messages`, { visitorId: visitor, clientMessageId: 'n1', text: 'Bonjour' })).status).toBe(202);
  });

  it('behind a trusted proxy, counts the address the proxy saw, not the ones the client wrote before it', async () => {
    await start({ trustProxy: 1, visitorsPerAddressPerHour: 3 });
    const through = (forwardedFor: string) => visitorFrom(attacker, { 'x-forwarded-for': forwardedFor });
    const issued = [];
    for (let n = 0; n < 10; n += 1) issued.push(await through(`10.0.0.${n}, 203.0.113.7`));
    expect(issued.filter(Boolean)).toHaveLength(3);
    expect(await through('203.0.113.8')).toBeDefined(); // another customer behind the same proxy
  });

  it('without TRUST_PROXY, X-Forwarded-For is not believed: rotating it does not escape the limit', async () => {
    await start({ visitorsPerAddressPerHour: 3 });
    const issued = [];
    for (let n = 0; n < 10; n += 1) issued.push(await visitorFrom(attacker, { 'x-forwarded-for': `198.51.100.${n}` }));
    expect(issued.filter(Boolean)).toHaveLength(3);
  });
});
