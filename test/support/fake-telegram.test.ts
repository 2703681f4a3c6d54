import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError, InputFile } from 'grammy';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from './fake-telegram.js';

const TOKEN = '987654:FAKE-TOKEN';

describe('fake Telegram Bot API driven by grammY', () => {
  let fake: FakeTelegram;
  let bot: Bot;

  beforeEach(async () => {
    fake = await startFakeTelegram({ token: TOKEN });
    bot = new Bot(TOKEN, { client: { apiRoot: fake.url } });
  });

  afterEach(async () => {
    if (bot.isRunning()) await bot.stop();
    await fake.close();
  });

  it('answers getMe and sendMessage with realistic objects and records the calls', async () => {
    const me = await bot.api.getMe();
    expect(me).toMatchObject({ id: 987654, is_bot: true, username: 'mode_ivoire_bot' });

    const first = await bot.api.sendMessage(42, 'Akwaba !');
    const second = await bot.api.sendMessage(42, 'Voici nos pagnes');
    expect(first).toMatchObject({ chat: { id: 42, type: 'private' }, text: 'Akwaba !', from: { id: me.id } });
    expect(second.message_id).toBe(first.message_id + 1);
    expect(fake.sent(42).map((c) => c.params.text)).toEqual(['Akwaba !', 'Voici nos pagnes']);
    expect(fake.sent(7)).toEqual([]);
    expect(fake.calls.map((c) => c.method)).toEqual(['getMe', 'sendMessage', 'sendMessage']);
  });

  it('sends inline keyboards, delivers a press as a callback_query, and takes one answer per query', async () => {
    const keyboard = { inline_keyboard: [[{ text: 'M', callback_data: 'co:1:size:M' }, { text: 'L', callback_data: 'co:1:size:L' }]] };
    const sent = await bot.api.sendMessage(42, 'Quelle taille ?', { reply_markup: keyboard });
    expect(sent.reply_markup).toEqual(keyboard);
    expect(fake.buttons(42)).toEqual(['M', 'L']);
    const { update, queryId } = fake.pressButton(42, 'L');
    expect(update.callback_query).toMatchObject({ id: queryId, data: 'co:1:size:L', from: { id: 42, is_bot: false }, message: { message_id: sent.message_id, text: 'Quelle taille ?' } });
    const [got] = await bot.api.getUpdates();
    expect(got?.callback_query?.data).toBe('co:1:size:L');

    await expect(bot.api.answerCallbackQuery(queryId)).resolves.toBe(true);
    await expect(bot.api.answerCallbackQuery(queryId)).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: query is too old and response timeout expired or query ID is invalid',
    });
    expect(fake.answeredQueries).toEqual([queryId]);
    expect(() => fake.pressButton(42, 'XXL')).toThrow(/no button "XXL"/);
    expect(() => fake.pressButton(7, 'M')).toThrow(/no message with buttons/);
  });

  it('refuses a keyboard Telegram would refuse', async () => {
    await expect(bot.api.sendMessage(42, 'x', { reply_markup: { inline_keyboard: [[{ text: 'M', callback_data: 'x'.repeat(65) }]] } })).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: BUTTON_DATA_INVALID',
    });
    await expect(bot.api.sendMessage(42, 'x', { reply_markup: { inline_keyboard: [[{ text: '', callback_data: 'a' }]] } })).rejects.toMatchObject({ error_code: 400 });
  });

  it('validates like Telegram', async () => {
    await expect(bot.api.sendMessage(42, '')).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: message text is empty',
    });
    await expect(bot.api.sendMessage(42, 'x'.repeat(4097))).rejects.toMatchObject({
      description: 'Bad Request: message is too long',
    });
    expect(fake.sent()).toEqual([]);

    const stranger = new Bot('1:WRONG', { client: { apiRoot: fake.url } });
    await expect(stranger.api.getMe()).rejects.toMatchObject({ error_code: 401, description: 'Unauthorized' });

    const res = await fetch(`${fake.url}/bot${TOKEN}/noSuchMethod`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' });
  });

  it('injects one-shot failures with Telegram error bodies', async () => {
    fake.failNext('sendMessage', { status: 429, retryAfter: 2 });
    fake.failNext('sendMessage', { status: 500 });
    const tooMany = await bot.api.sendMessage(42, 'a').catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(GrammyError);
    expect(tooMany).toMatchObject({
      error_code: 429,
      description: 'Too Many Requests: retry after 2',
      parameters: { retry_after: 2 },
    });
    await expect(bot.api.sendMessage(42, 'b')).rejects.toMatchObject({ error_code: 500 });
    await expect(bot.api.sendMessage(42, 'c')).resolves.toMatchObject({ text: 'c' });
    expect(fake.sent(42).map((c) => c.params.text)).toEqual(['c']);
  });

  it('lets @grammyjs/auto-retry recover from an injected 429', async () => {
    bot.api.config.use(autoRetry());
    fake.failNext('sendMessage', { status: 429, retryAfter: 0 });
    const delivered = fake.waitFor((c) => c.method === 'sendMessage' && c.status === 200);
    await expect(bot.api.sendMessage(42, 'patience')).resolves.toMatchObject({ text: 'patience' });
    await expect(delivered).resolves.toMatchObject({ params: { text: 'patience' } });
    expect(fake.calls.filter((c) => c.method === 'sendMessage').map((c) => c.status)).toEqual([429, 200]);
  });

  it('implements getUpdates offsets and long polling', async () => {
    fake.pushMessage(1, 'un');
    fake.pushMessage(1, 'deux');
    const all = await bot.api.getUpdates({ offset: 0 });
    expect(all.map((u) => u.update_id)).toEqual([1, 2]);
    expect(fake.pendingUpdates()).toBe(2);

    const rest = await bot.api.getUpdates({ offset: 2 });
    expect(rest.map((u) => u.message?.text)).toEqual(['deux']);
    expect(fake.confirmedOffset).toBe(2);
    expect(fake.pendingUpdates()).toBe(1);

    const held = bot.api.getUpdates({ offset: 3, timeout: 10 });
    await fake.waitFor((c) => c.method === 'getUpdates' && c.params.offset === 3);
    expect(fake.pendingUpdates()).toBe(0);
    fake.pushMessage(1, 'trois');
    expect((await held).map((u) => u.message?.text)).toEqual(['trois']);
  });

  it('survives a client aborting a held poll', async () => {
    const controller = new AbortController();
    // grammY types its signal parameter with the abort-controller polyfill; the native one works at runtime.
    const signal = controller.signal as unknown as Parameters<typeof bot.api.getUpdates>[1];
    const held = bot.api.getUpdates({ timeout: 10 }, signal);
    await fake.waitFor((c) => c.method === 'getUpdates');
    controller.abort();
    await expect(held).rejects.toThrow();
    fake.pushMessage(5, 'encore là ?');
    await expect(bot.api.getUpdates({ offset: 0 })).resolves.toHaveLength(1);
  });

  it('terminates a held poll with 409 when another poll arrives, like Telegram', async () => {
    const first = bot.api.getUpdates({ timeout: 10 });
    await fake.waitFor((c) => c.method === 'getUpdates');
    const second = bot.api.getUpdates({ timeout: 0 });
    await expect(first).rejects.toMatchObject({ error_code: 409 });
    await expect(second).resolves.toEqual([]);
  });

  it('runs a real polling bot and sees the update acknowledged', async () => {
    bot.on('message:text', (ctx) => ctx.reply(`Bonjour ${ctx.from.first_name}`));
    bot.command('start', (ctx) => ctx.reply('Bienvenue'));
    const started = new Promise<void>((resolve) => void bot.start({ onStart: () => resolve() }));
    await started;

    const update = fake.pushMessage(77, 'Salut');
    const answer = await fake.waitFor((c) => c.method === 'sendMessage');
    expect(answer.params).toMatchObject({ chat_id: 77, text: 'Bonjour Awa' });

    await bot.stop();
    expect(fake.confirmedOffset).toBe(update.update_id + 1);
    expect(fake.pendingUpdates()).toBe(0);
  });

  it('routes /commands through grammY (bot_command entity)', async () => {
    bot.command('start', (ctx) => ctx.reply('Bienvenue'));
    fake.pushMessage(8, '/start');
    void bot.start();
    await expect(fake.waitFor((c) => c.method === 'sendMessage')).resolves.toMatchObject({
      params: { text: 'Bienvenue' },
    });
  });

  it('accepts multipart uploads for sendPhoto', async () => {
    const photo = new InputFile(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), 'pagne.jpg');
    const message = await bot.api.sendPhoto(42, photo, { caption: 'Pagne wax — 15 000 F' });
    expect(message.caption).toBe('Pagne wax — 15 000 F');
    expect(message.photo?.length).toBeGreaterThan(0);

    const [call] = fake.sent(42);
    expect(call?.method).toBe('sendPhoto');
    expect(call?.params).toMatchObject({ chat_id: '42', caption: 'Pagne wax — 15 000 F' });
    expect(String(call?.params.photo)).toMatch(/^attach:\/\//);
    expect(Object.values(call?.params ?? {})).toContainEqual({ filename: 'pagne.jpg', size: 7 });
  });

  it('applies latency and explains waitFor timeouts', async () => {
    fake.setLatency('sendChatAction', 30);
    await expect(bot.api.sendChatAction(42, 'typing')).resolves.toBe(true);
    await expect(fake.waitFor((c) => c.method === 'sendMessage', 50)).rejects.toThrow(/sendChatAction/);
  });

  it('close() ends a held long poll promptly', async () => {
    const held = bot.api.getUpdates({ timeout: 30 }).catch(() => 'closed');
    await fake.waitFor((c) => c.method === 'getUpdates');
    const spy = vi.fn();
    await fake.close().then(spy);
    expect(spy).toHaveBeenCalled();
    await expect(held).resolves.toBeDefined();
    fake = await startFakeTelegram({ token: TOKEN }); // afterEach closes this one
  });
});
