import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lastUserText, startFakeOpenAI, type FakeOpenAI } from './fake-openai.js';

const ask = (text: string) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: text }] });

describe('fake OpenAI driven by the openai SDK', () => {
  let fake: FakeOpenAI;
  let client: OpenAI;

  beforeEach(async () => {
    fake = await startFakeOpenAI();
    client = new OpenAI({ apiKey: 'sk-test', baseURL: `${fake.url}/v1`, maxRetries: 0 });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('answers with a realistic completion mentioning the last user message', async () => {
    const completion = await client.chat.completions.create(ask('Avez-vous du wax ?'));
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Réponse à: Avez-vous du wax ?' } }],
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-test');
    expect(fake.requests[0]?.outcome).toBe('answered');
    expect(fake.answered).toBe(1);
  });

  it('streams chunks that join into the reply', async () => {
    fake.setReply((body) => `Oui, nous avons « ${lastUserText(body)} » en stock.`);
    const stream = await client.chat.completions.create({ ...ask('wax'), stream: true });
    let text = '';
    const finishes: Array<string | null> = [];
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finishes.push(chunk.choices[0]?.finish_reason ?? null);
    }
    expect(text).toBe('Oui, nous avons « wax » en stock.');
    expect(finishes.at(-1)).toBe('stop');
    expect(finishes.length).toBeGreaterThan(3);
  });

  it('returns scripted tool calls', async () => {
    fake.setReply(() => ({
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search_catalog', arguments: '{"q":"wax"}' } }],
    }));
    const completion = await client.chat.completions.create(ask('wax'));
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: { name: 'search_catalog' } });
  });

  it('surfaces 429 as RateLimitError with retry-after headers', async () => {
    fake.enqueue({ status: 429, retryAfter: 3, retryAfterMs: 2500 }, { status: 429, code: 'insufficient_quota' });
    const error = await client.chat.completions.create(ask('a')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimit.headers?.get('retry-after')).toBe('3');
    expect(rateLimit.headers?.get('retry-after-ms')).toBe('2500');
    expect(rateLimit.code).toBe('rate_limit_exceeded');
    await expect(client.chat.completions.create(ask('b'))).rejects.toMatchObject({ status: 429, code: 'insufficient_quota' });
    await expect(client.chat.completions.create(ask('c'))).resolves.toBeDefined();
    expect(fake.requests.map((r) => r.outcome)).toEqual(['failed', 'failed', 'answered']);
  });

  it('surfaces 500 as InternalServerError and a reset as APIConnectionError', async () => {
    fake.enqueue({ status: 500 }, { reset: true });
    await expect(client.chat.completions.create(ask('a'))).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(client.chat.completions.create(ask('b'))).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('rejects a wrong configured key with invalid_api_key', async () => {
    const strict = await startFakeOpenAI({ apiKey: 'sk-right' });
    try {
      const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL: `${strict.url}/v1`, maxRetries: 0 });
      await expect(wrong.chat.completions.create(ask('a'))).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
      expect(strict.requests.map((r) => r.outcome)).toEqual(['failed']);
    } finally {
      await strict.close();
    }
  });

  it('notices a client aborting a hung request', async () => {
    fake.enqueue({ hang: true });
    const pending = client.chat.completions.create(ask('allô ?'), { signal: AbortSignal.timeout(200) });
    await fake.waitForRequests(1);
    expect(fake.inFlight()).toBe(1);
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await vi.waitFor(() => expect(fake.requests[0]?.outcome).toBe('aborted'));
    expect(fake.inFlight()).toBe(0);
  });

  it('stops a slow answer when the client gives up during the latency', async () => {
    fake.enqueue({ latencyMs: 10_000 });
    const pending = client.chat.completions.create(ask('lent'), { signal: AbortSignal.timeout(100) });
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await vi.waitFor(() => expect(fake.requests[0]?.outcome).toBe('aborted'));
    expect(fake.answered).toBe(0);
  });

  it('applies a default behaviour and fixed contents', async () => {
    fake.setDefault({ latencyMs: 20 });
    fake.enqueue({ content: 'Fixe' });
    const [a, b] = await Promise.all([
      client.chat.completions.create(ask('x')),
      client.chat.completions.create(ask('y')),
    ]);
    expect([a.choices[0]?.message.content, b.choices[0]?.message.content].sort()).toEqual(['Fixe', 'Réponse à: y'].sort());
    expect(fake.answered).toBe(2);
  });

  it('close() drops hung sockets promptly', async () => {
    fake.setDefault({ hang: true });
    const pending = client.chat.completions.create(ask('a')).catch((e: unknown) => e);
    await fake.waitForRequests(1);
    await fake.close();
    expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
    fake = await startFakeOpenAI(); // afterEach closes this one
  });
});
