import { afterEach, describe, expect, it, vi } from 'vitest';
import { lastUserText, type ChatCompletionRequestBody, type OpenAIBehaviour } from './support/fake-openai.js';
import { FALLBACK } from './support/engine-harness.js';
import { seededRandom } from './support/seeded-random.js';
import { startStack, type Stack } from './support/stack.js';

const UNAVAILABLE = /je n'arrive pas à vous répondre/;

/**
 * The scenario's peak-hour stories over real HTTP: real grammY long-polling the fake Bot API,
 * the real OpenAI SDK (behind the bot's gate and retries) calling the fake OpenAI. Deadlines
 * are scaled down; assertions are about what each customer sees, never about milliseconds.
 */
describe('peak hour over HTTP', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('18:32 — the model is slow; the customer writes again after the fallback and is answered at once, the stale call aborted', async () => {
    stack = await startStack({ replyDeadlineMs: 800, lateAnswerMs: 20_000 });
    const { telegram, openai, waitForTexts } = stack;
    // The first call takes 10 s; the retry's call is answered at once.
    openai.route((body) => (lastUserText(body).includes('mariage') && body.messages.filter((m) => m.role === 'user').length === 1 ? { latencyMs: 10_000 } : undefined));
    telegram.pushMessage(1832, 'Bonjour, je cherche une robe pour un mariage');
    expect(await waitForTexts(1832, 1, 3000)).toEqual([FALLBACK]);
    telegram.pushMessage(1832, 'Des robes élégantes pour mariage');
    // Well before the slow call's 10 s: the retry does not wait for it.
    expect(await waitForTexts(1832, 2, 4000)).toEqual([FALLBACK, 'Réponse à: Des robes élégantes pour mariage']);
    await vi.waitFor(() => expect(openai.requests[0]!.outcome).toBe('aborted'));
    const retry = openai.requests[1]!.body.messages.filter((m) => m.role === 'user').map((m) => m.content);
    expect(retry).toEqual(['Bonjour, je cherche une robe pour un mariage', 'Des robes élégantes pour mariage']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(telegram.texts(1832)).toHaveLength(2);
  });

  it('18:32 with a hung first call: the retry is answered at once, not after the hung attempt times out', async () => {
    stack = await startStack({ replyDeadlineMs: 800, lateAnswerMs: 20_000, attemptTimeoutMs: 15_000 });
    const { telegram, openai, waitForTexts } = stack;
    openai.enqueue({ hang: true });
    telegram.pushMessage(1833, 'Vous livrez à Marcory ?');
    expect(await waitForTexts(1833, 1, 3000)).toEqual([FALLBACK]);
    telegram.pushMessage(1833, 'Allô ?');
    expect(await waitForTexts(1833, 2, 4000)).toEqual([FALLBACK, 'Réponse à: Allô ?']);
    await vi.waitFor(() => expect(openai.requests[0]!.outcome).toBe('aborted'));
  });

  it('no customer’s faults affect another’s result: slow, hung, 429 short and long, quota burst, 5xx, reset, then normal traffic, in two orders', async () => {
    for (const seed of [11, 29]) {
      stack = await startStack({ replyDeadlineMs: 700, lateAnswerMs: 6000, attemptTimeoutMs: 1500, breakerFailures: 3, breakerCooldownMs: 1000 });
      const { telegram, openai } = stack;
      const attempts = new Map<string, number>();
      // Each customer's first attempts carry its own fault, whatever else is going on.
      openai.route((body: ChatCompletionRequestBody): OpenAIBehaviour | undefined => {
        const text = lastUserText(body);
        const attempt = (attempts.get(text) ?? 0) + 1;
        attempts.set(text, attempt);
        if (text.startsWith('slow')) return { latencyMs: 1200 };
        if (text.startsWith('hang') && attempt === 1) return { hang: true };
        if (text.startsWith('429 court') && attempt === 1) return { status: 429, retryAfterMs: 100 };
        if (text.startsWith('429 long') && attempt === 1) return { status: 429, retryAfterMs: 1000 };
        if (text.startsWith('quota') && attempt === 1 && Number(text.split(' ')[1]) > 6) return { status: 429, retryAfter: 1 };
        if (text.startsWith('5xx') && attempt <= 2) return { status: 503 };
        if (text.startsWith('reset') && attempt === 1) return { reset: true };
        return undefined;
      });
      const faults = ['slow', 'hang', '429 court', '429 long', '5xx', 'reset', ...Array.from({ length: 10 }, (_, i) => `quota ${i + 1}`)];
      const random = seededRandom(seed);
      const order = faults.map((fault) => ({ fault, key: random() })).sort((a, b) => a.key - b.key).map(({ fault }) => fault);
      const chatOf = new Map(order.map((fault, index) => [fault, 5000 + index]));
      for (const fault of order) telegram.pushMessage(chatOf.get(fault)!, fault);
      const normal = Array.from({ length: 5 }, (_, i) => `normal ${i + 1}`);
      normal.forEach((text, index) => chatOf.set(text, 6000 + index));
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const text of normal) telegram.pushMessage(chatOf.get(text)!, text);

      for (const [text, chatId] of chatOf) {
        await vi.waitFor(() => expect(telegram.texts(chatId).at(-1)).toBe(`Réponse à: ${text}`), { timeout: 10_000, interval: 50 });
        const texts = telegram.texts(chatId);
        // The real answer, at most one fallback before it, never an apology, never two of anything.
        expect([[`Réponse à: ${text}`], [FALLBACK, `Réponse à: ${text}`]], `${text} (seed ${seed})`).toContainEqual(texts);
        expect(texts.some((t) => UNAVAILABLE.test(t))).toBe(false);
      }
      // Those whose own call was slower than the deadline could only hear the fallback first.
      for (const text of ['slow', 'hang']) expect(telegram.texts(chatOf.get(text)!)[0]).toBe(FALLBACK);
      expect(stack.gate.breaker.state).toBe('closed');
      await stack.close();
      stack = undefined;
    }
  });
});
