import { afterEach, describe, expect, it, vi } from 'vitest';
import { lastUserText } from './support/fake-openai.js';
import { FALLBACK, metricValue } from './support/engine-harness.js';
import { startStack, type Stack } from './support/stack.js';

/**
 * The never-silent promise over real HTTP: the real grammY bot long-polls a fake Bot API, the
 * real OpenAI SDK calls a fake OpenAI. Deadlines are short so the suite is quick; assertions
 * are about what the customer sees and in which order, never about milliseconds.
 */
describe('Telegram + OpenAI over HTTP', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });
  const start = async (options: Parameters<typeof startStack>[0]) => (stack = await startStack(options));
  const UNAVAILABLE = /je n'arrive pas à vous répondre/;

  it('answers a customer, with typing first and no fallback', async () => {
    const { telegram, openai, waitForTexts, metrics } = await start({ replyDeadlineMs: 5000, lateAnswerMs: 5000 });
    telegram.pushMessage(1001, 'Bonjour, je cherche une robe pour un mariage');
    expect(await waitForTexts(1001, 1)).toEqual(['Réponse à: Bonjour, je cherche une robe pour un mariage']);
    const methods = telegram.calls.filter((c) => String(c.params.chat_id) === '1001').map((c) => c.method);
    expect(methods.indexOf('sendChatAction')).toBeLessThan(methods.indexOf('sendMessage'));
    expect(openai.requests[0]!.body.messages[0]).toMatchObject({ role: 'system' });
    expect(await metricValue(metrics, 'akwaba_fallbacks_total')).toBe(0);
  });

  it('slow model: the fallback by the deadline, then the late answer, in the same chat', async () => {
    const { telegram, openai, waitForTexts, metrics } = await start({ replyDeadlineMs: 300, lateAnswerMs: 10_000 });
    openai.enqueue({ latencyMs: 1500 });
    telegram.pushMessage(1002, 'Vous livrez à Marcory ?');
    expect(await waitForTexts(1002, 2)).toEqual([FALLBACK, 'Réponse à: Vous livrez à Marcory ?']);
    expect(openai.requests).toHaveLength(1);
    await vi.waitFor(async () => expect(await metricValue(metrics, 'akwaba_fallbacks_total', { reason: 'timeout' })).toBe(1));
    await vi.waitFor(async () => expect(await metricValue(metrics, 'akwaba_replies_total', { kind: 'late_answer' })).toBe(1));
  });

  it('429 with a short retry-after: retried within the deadline, no fallback', async () => {
    const { telegram, openai, waitForTexts } = await start({ replyDeadlineMs: 5000, lateAnswerMs: 5000 });
    openai.enqueue({ status: 429, retryAfterMs: 50 });
    telegram.pushMessage(1003, 'Bonjour');
    expect(await waitForTexts(1003, 1)).toEqual(['Réponse à: Bonjour']);
    expect(openai.requests).toHaveLength(2);
  });

  it('429 whose retry-after passes the deadline: the fallback at once, then the answer after the wait', async () => {
    const { telegram, openai, waitForTexts, metrics } = await start({ replyDeadlineMs: 3000, lateAnswerMs: 10_000 });
    openai.enqueue({ status: 429, retryAfterMs: 3500 });
    telegram.pushMessage(1004, 'Bonjour');
    expect(await waitForTexts(1004, 1, 2000)).toEqual([FALLBACK]); // well before the 3 s deadline
    await vi.waitFor(async () => expect(await metricValue(metrics, 'akwaba_fallbacks_total', { reason: 'rate_limit' })).toBe(1));
    expect(openai.requests).toHaveLength(1); // the retry-after is honoured
    expect(await waitForTexts(1004, 2, 9000)).toEqual([FALLBACK, 'Réponse à: Bonjour']);
  });

  it('429 whose retry-after passes even the late-answer window: one honest apology at once, not the fallback and the apology', async () => {
    const { telegram, openai, waitForTexts, metrics } = await start({ replyDeadlineMs: 3000, lateAnswerMs: 2000 });
    openai.enqueue({ status: 429, retryAfter: 60 });
    telegram.pushMessage(1005, 'Bonjour');
    const texts = await waitForTexts(1005, 1, 2500);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(UNAVAILABLE);
    expect(openai.requests).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(telegram.texts(1005)).toHaveLength(1);
    expect(await metricValue(metrics, 'akwaba_fallbacks_total')).toBe(0);
  });

  it.each([
    ['500', { status: 500 as const }],
    ['503', { status: 503 as const }],
    ['reset socket', { reset: true as const }],
  ])('%s then success: retried, answered, no fallback', async (_name, failure) => {
    const { telegram, openai, waitForTexts, metrics } = await start({ replyDeadlineMs: 5000, lateAnswerMs: 5000 });
    openai.enqueue(failure);
    telegram.pushMessage(1006, 'Bonjour');
    expect(await waitForTexts(1006, 1)).toEqual(['Réponse à: Bonjour']);
    expect(openai.requests).toHaveLength(2);
    expect(await metricValue(metrics, 'akwaba_fallbacks_total')).toBe(0);
  });

  it('5xx until the deadline: the fallback names provider_error, the late answer follows', async () => {
    const { telegram, openai, waitForTexts, metrics } = await start({ replyDeadlineMs: 400, lateAnswerMs: 10_000 });
    openai.enqueue({ status: 500, latencyMs: 300 }, { status: 502, latencyMs: 300 });
    telegram.pushMessage(1007, 'Bonjour');
    expect(await waitForTexts(1007, 2)).toEqual([FALLBACK, 'Réponse à: Bonjour']);
    await vi.waitFor(async () => expect(await metricValue(metrics, 'akwaba_fallbacks_total', { reason: 'provider_error' })).toBe(1));
  });

  it('hung request: the fallback by the deadline, the attempt abandoned and retried, the late answer delivered', async () => {
    const { telegram, openai, waitForTexts } = await start({ replyDeadlineMs: 300, lateAnswerMs: 10_000, attemptTimeoutMs: 1000 });
    openai.enqueue({ hang: true });
    telegram.pushMessage(1008, 'Bonjour');
    expect(await waitForTexts(1008, 2)).toEqual([FALLBACK, 'Réponse à: Bonjour']);
    expect(openai.requests.map((r) => r.outcome)).toEqual(['aborted', 'answered']);
  });

  it('invalid key (401): no retry, one honest apology at once', async () => {
    const { telegram, openai, waitForTexts, metrics } = await start({ replyDeadlineMs: 5000, lateAnswerMs: 5000 });
    openai.enqueue({ status: 401 });
    telegram.pushMessage(1009, 'Bonjour');
    const texts = await waitForTexts(1009, 1, 3000);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(UNAVAILABLE);
    expect(openai.requests).toHaveLength(1);
    await vi.waitFor(async () => expect(await metricValue(metrics, 'akwaba_replies_total', { kind: 'unavailable' })).toBe(1));
    expect(await metricValue(metrics, 'akwaba_fallbacks_total')).toBe(0);
  });

  it('a burst in one chat is answered coherently, the last turn seeing every message', async () => {
    const { telegram, openai, waitForTexts } = await start({ replyDeadlineMs: 5000, lateAnswerMs: 5000 });
    openai.setDefault({ latencyMs: 400 });
    telegram.pushMessage(1010, 'Bonjour');
    await openai.waitForRequests(1);
    telegram.pushMessage(1010, 'je cherche une robe');
    telegram.pushMessage(1010, 'pour un mariage');
    const texts = await waitForTexts(1010, 2);
    expect(texts).toEqual(['Réponse à: Bonjour', 'Réponse à: pour un mariage']);
    const lastTurn = openai.requests.at(-1)!.body.messages.map((m) => m.content);
    expect(lastTurn.slice(-3)).toEqual(['Réponse à: Bonjour', 'je cherche une robe', 'pour un mariage']);
    expect(openai.requests).toHaveLength(2);
  });

  it('a slow customer does not delay a fast one', async () => {
    const { telegram, openai, waitForTexts } = await start({ replyDeadlineMs: 5000, lateAnswerMs: 5000 });
    const release: { slow?: () => void } = {};
    openai.setReply(async (body) => {
      if (lastUserText(body) === 'lent') await new Promise<void>((resolve) => (release.slow = resolve));
      return `Réponse à: ${lastUserText(body)}`;
    });
    telegram.pushMessage(2001, 'lent');
    await openai.waitForRequests(1);
    telegram.pushMessage(2002, 'rapide');
    expect(await waitForTexts(2002, 1)).toEqual(['Réponse à: rapide']);
    expect(stack!.texts(2001)).toEqual([]);
    release.slow?.();
    expect(await waitForTexts(2001, 1)).toEqual(['Réponse à: lent']);
  });

  it('a voice note gets a polite text reply and never reaches the model', async () => {
    const { telegram, openai, waitForTexts } = await start({ replyDeadlineMs: 5000, lateAnswerMs: 5000 });
    telegram.pushUpdate({
      message: {
        message_id: 77,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 1011, type: 'private', first_name: 'Awa' },
        from: { id: 1011, is_bot: false, first_name: 'Awa' },
        voice: { file_id: 'AwACAgQAAxkBAAIB', file_unique_id: 'AgADxw', duration: 4, mime_type: 'audio/ogg' },
      },
    });
    const [text] = await waitForTexts(1011, 1);
    expect(text).toMatch(/message vocal/);
    expect(openai.requests).toHaveLength(0);
  });

  it('edits are ignored and the bot keeps serving', async () => {
    const { telegram, waitForTexts } = await start({ replyDeadlineMs: 5000, lateAnswerMs: 5000 });
    telegram.pushUpdate({
      edited_message: {
        message_id: 5,
        date: 1,
        edit_date: 2,
        chat: { id: 1012, type: 'private', first_name: 'Awa' },
        from: { id: 1012, is_bot: false, first_name: 'Awa' },
        text: 'corrigé',
      },
    });
    telegram.pushMessage(1012, 'Bonjour');
    expect(await waitForTexts(1012, 1)).toEqual(['Réponse à: Bonjour']);
  });

  it("Telegram's own 429 on sendMessage is waited out, and the answer still arrives", async () => {
    const { telegram, waitForTexts } = await start({ replyDeadlineMs: 5000, lateAnswerMs: 5000 });
    telegram.failNext('sendMessage', { status: 429, retryAfter: 1 });
    telegram.pushMessage(1013, 'Bonjour');
    expect(await waitForTexts(1013, 1)).toEqual(['Réponse à: Bonjour']);
  });

  it('shutdown with replies in flight: the quick one is delivered, the slow one gets its fallback, then it stops', async () => {
    const { telegram, openai, shutdown } = await start({ replyDeadlineMs: 1500, lateAnswerMs: 10_000 });
    openai.setReply(async (body) => {
      const text = lastUserText(body);
      await new Promise((resolve) => setTimeout(resolve, text === 'rapide' ? 200 : 5000));
      return `Réponse à: ${text}`;
    });
    telegram.pushMessage(3001, 'rapide');
    telegram.pushMessage(3002, 'lent');
    await openai.waitForRequests(2);
    await shutdown();
    expect(stack!.texts(3001)).toEqual(['Réponse à: rapide']);
    expect(stack!.texts(3002)).toEqual([FALLBACK]);
    // The fake notices the dropped connection a moment after the bot drops it.
    await vi.waitFor(() => expect(openai.requests.find((r) => lastUserText(r.body) === 'lent')!.outcome).toBe('aborted'));
    // Both updates were acknowledged, so a restart does not see them again.
    expect(telegram.pendingUpdates()).toBe(0);
  });
});
