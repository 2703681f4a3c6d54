import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lastUserText, startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { openPostgres, PG_ADMIN } from '../store/engines.js';
import { startBalancer, startInstance, stopInstance, type Balancer, type InstanceProcess } from './cluster-stack.js';

const TOKEN = '654321:fake-token-for-the-local-bot-api';
const SECRET = 'f3a9c1e07b2d4c6a8e1f3a9c1e07b2d4';
const WEBHOOK_URL = 'https://shop.example/telegram/hook-7d1e';
const DEADLINE_MS = 1500;
/** The liveness bound: every message hears from us by its deadline plus one second. */
const PROMISE_MS = DEADLINE_MS + 1000;

interface Sent {
  readonly chatId: number;
  readonly index: number;
  readonly messageId: string;
}

interface JournalRow {
  readonly chat_id: string;
  readonly message_id: string;
  readonly received_at: string;
  readonly fallback_at: string | null;
  readonly answered_at: string | null;
  readonly answered_how: string | null;
}

/**
 * Three `node dist/src/main.js` on one Postgres behind a round-robin balancer, the fake Bot
 * API posting to their webhooks and the fake OpenAI answering (a "lent" message takes longer
 * than the deadline: fallback, then the late answer).
 */
describe('three instances sharing one Postgres', () => {
  let db: Awaited<ReturnType<typeof openPostgres>>;
  let telegram: FakeTelegram;
  let openai: FakeOpenAI;
  let balancer: Balancer;
  let instances: InstanceProcess[] = [];
  const sent: Sent[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    [db, telegram, openai, balancer] = await Promise.all([openPostgres({ migrate: false }), startFakeTelegram({ token: TOKEN }), startFakeOpenAI(), startBalancer()]);
    openai.route((body) => ({ latencyMs: lastUserText(body).includes('lent') ? 2500 : 80 }));
    env = {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_WEBHOOK_URL: WEBHOOK_URL,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${openai.url}/v1`,
      DATABASE_URL: `postgresql://${PG_ADMIN.user}@${PG_ADMIN.host}:${PG_ADMIN.port}/${db.database}`,
      REPLY_DEADLINE_MS: String(DEADLINE_MS),
      LATE_ANSWER_MS: '8000',
    };
    // The first one migrates and seeds; the others find it done.
    instances = [await startInstance(env)];
    instances.push(...(await Promise.all([startInstance(env), startInstance(env)])));
    balancer.targets = instances.map((instance) => instance.port);
    telegram.routeWebhookTo(balancer.url);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => stopInstance(instance)));
    await Promise.all([telegram?.close(), openai?.close(), balancer?.close()]);
    await db?.close();
  });

  const push = (chatId: number, index: number, slow = false) => {
    const update = telegram.pushMessage(chatId, `client ${chatId} message ${index}${slow ? ' lent' : ''}`);
    sent.push({ chatId, index, messageId: String(update.message!.message_id) });
  };
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Waits until every message sent so far is answered, then checks the promise for `since` onwards. */
  async function everyoneAnswered(since: number) {
    await vi.waitFor(
      async () => {
        const [{ total, open }] = await db.query<{ total: string; open: string }>(
          'SELECT count(*) AS total, count(*) FILTER (WHERE answered_at IS NULL) AS open FROM cluster.journal',
        );
        expect({ total: Number(total), open: Number(open) }).toEqual({ total: sent.length, open: 0 });
      },
      { timeout: 20_000, interval: 100 },
    );
    const batch = sent.slice(since);
    const rows = await db.query<JournalRow>(
      'SELECT chat_id, message_id, received_at, fallback_at, answered_at, answered_how FROM cluster.journal WHERE message_id = ANY($1)',
      [batch.map((message) => message.messageId)],
    );
    expect(rows).toHaveLength(batch.length);
    const lateness = rows.map((row) => {
      const first = Math.min(...[row.fallback_at, row.answered_at].filter((at) => at !== null).map(Number));
      return first - Number(row.received_at);
    });
    for (const ms of lateness) expect(ms).toBeLessThanOrEqual(PROMISE_MS);
    // One chat's answers in order: never the answer to a later message before an earlier one's.
    let repeated = 0;
    for (const chatId of new Set(batch.map((message) => message.chatId))) {
      const answered = telegram
        .texts(chatId)
        .flatMap((text) => /^Réponse à: client \d+ message (\d+)/.exec(text)?.[1] ?? [])
        .map(Number);
      expect(answered).toEqual([...answered].sort((a, b) => a - b));
      repeated += answered.length - new Set(answered).size;
    }
    return {
      messages: rows.length,
      answeredInTime: rows.filter((row) => row.fallback_at === null).length,
      fallbackFirst: rows.filter((row) => row.fallback_at !== null).length,
      maxFirstResponseMs: Math.max(...lateness),
      /** The same answer sent twice (a dead instance's answer not noted before it died): never a different one. */
      repeatedAnswers: repeated,
    };
  }

  it('answers every chat, each on one instance, in order', async () => {
    for (let round = 0; round < 3; round++) for (let chatId = 1; chatId <= 12; chatId++) push(chatId, round, chatId % 5 === 0 && round === 1);
    const figures = await everyoneAnswered(0);
    expect(figures).toMatchObject({ messages: 36, repeatedAnswers: 0 });
    const [{ owners }] = await db.query<{ owners: string }>('SELECT count(DISTINCT instance_id) AS owners FROM cluster.chats');
    expect(Number(owners)).toBeGreaterThanOrEqual(2);
    const health = (await (await fetch(`http://127.0.0.1:${instances[0]!.port}/healthz`)).json()) as { instance: unknown };
    expect(health.instance).toMatchObject({ mode: 'shared', id: expect.any(Number) });
    const metrics = await (await fetch(`http://127.0.0.1:${instances[0]!.port}/metrics`)).text();
    expect(metrics).toMatch(/^akwaba_cluster_queue_depth\{queue="messages"\} 0$/m);
    expect(metrics).toMatch(/^akwaba_cluster_queue_oldest_seconds\{queue="deliveries"\} 0$/m);
    console.info('cluster normal traffic', figures);
  }, 40_000);

  it('kill -9 of one instance under load: nobody is left past the deadline, nothing is lost', async () => {
    const since = sent.length;
    const victim = instances[1]!;
    let killedAt = 0;
    for (let n = 0; n < 40; n++) {
      push(101 + (n % 10), Math.floor(n / 10), n % 7 === 3);
      if (n === 20) {
        balancer.targets = balancer.targets.filter((port) => port !== victim.port);
        killedAt = Date.now();
        await stopInstance(victim);
      }
      await pause(40);
    }
    // The next tests want three instances whatever this one finds.
    instances[1] = await startInstance(env);
    balancer.targets = instances.map((instance) => instance.port);
    const figures = await everyoneAnswered(since);
    const takeovers = instances
      .flatMap((instance) => instance.output.split('\n'))
      .filter((line) => line.includes('taken over'))
      .map((line) => (JSON.parse(line) as { time: number }).time - killedAt)
      .filter((ms) => ms >= 0);
    // The victim's chats with messages open were taken over, quickly.
    expect(takeovers.length).toBeGreaterThan(0);
    expect(Math.min(...takeovers)).toBeLessThan(PROMISE_MS);
    console.info('cluster kill -9', { ...figures, takeoverMs: Math.min(...takeovers) });
  }, 40_000);

  it('long polling: one instance polls, all answer, and another polls once it is killed', async () => {
    const [pollDb, pollTelegram] = await Promise.all([openPostgres({ migrate: false }), startFakeTelegram({ token: TOKEN })]);
    const pollEnv = {
      ...env,
      TELEGRAM_API_ROOT: pollTelegram.url,
      TELEGRAM_WEBHOOK_URL: '',
      TELEGRAM_WEBHOOK_SECRET: '',
      DATABASE_URL: `postgresql://${PG_ADMIN.user}@${PG_ADMIN.host}:${PG_ADMIN.port}/${pollDb.database}`,
    };
    const pair = [await startInstance(pollEnv)];
    pair.push(await startInstance(pollEnv));
    const polling = (instance: InstanceProcess) => /"what":"telegram-polling".*runs it alone/.test(instance.output);
    try {
      const poller = await vi.waitFor(() => {
        const found = pair.filter(polling);
        expect(found).toHaveLength(1);
        return found[0]!;
      }, { timeout: 10_000, interval: 25 });
      for (let chatId = 301; chatId <= 306; chatId++) pollTelegram.pushMessage(chatId, `client ${chatId} message 0`);
      for (let chatId = 301; chatId <= 306; chatId++) await pollTelegram.waitForTexts(chatId, 1, 10_000);
      // The answers are noted in the journal a moment after they reach Telegram; a kill inside that moment owes a
      // second copy (at least once, as in test/crash.test.ts). This test is about the poller moving: kill after.
      await vi.waitFor(async () => {
        const [{ open }] = await pollDb.query<{ open: string }>('SELECT count(*) AS open FROM cluster.journal WHERE answered_at IS NULL');
        expect(Number(open)).toBe(0);
      }, { timeout: 5000, interval: 25 });
      // Chats are spread over both instances whichever one polls.
      const [{ owners }] = await pollDb.query<{ owners: string }>('SELECT count(DISTINCT instance_id) AS owners FROM cluster.chats');
      expect(Number(owners)).toBe(2);

      const killedAt = Date.now();
      await stopInstance(poller);
      const survivor = pair.find((instance) => instance !== poller)!;
      await vi.waitFor(() => expect(polling(survivor)).toBe(true), { timeout: 5000, interval: 25 });
      for (let chatId = 301; chatId <= 306; chatId++) pollTelegram.pushMessage(chatId, `client ${chatId} message 1`);
      for (let chatId = 301; chatId <= 306; chatId++) {
        expect((await pollTelegram.waitForTexts(chatId, 2, 10_000)).at(-1)).toBe(`Réponse à: client ${chatId} message 1`);
      }
      // Never two pollers at once: Telegram would have refused one with 409.
      expect(pollTelegram.calls.filter((call) => call.method === 'getUpdates' && call.status === 409)).toEqual([]);
      console.info('cluster long polling', { killToAnsweredAgainMs: Date.now() - killedAt });
    } finally {
      await Promise.all(pair.map((instance) => stopInstance(instance)));
      await pollTelegram.close();
      await pollDb.close();
    }
  }, 40_000);

  it('a rolling restart (SIGTERM one at a time) loses nothing and leaves nobody past the deadline', async () => {
    const since = sent.length;
    let pushing = true;
    const traffic = (async () => {
      for (let n = 0; pushing; n++) {
        push(201 + (n % 8), Math.floor(n / 8), n % 6 === 2);
        await pause(50);
      }
    })();
    for (let i = 0; i < instances.length; i++) {
      const leaving = instances[i]!;
      balancer.targets = balancer.targets.filter((port) => port !== leaving.port);
      expect(await stopInstance(leaving, 'SIGTERM')).toBe(0);
      instances[i] = await startInstance(env);
      balancer.targets.push(instances[i]!.port);
    }
    pushing = false;
    await traffic;
    const figures = await everyoneAnswered(since);
    // A leaving instance finishes what it holds and leaves the rest whole to the next: nothing is answered twice.
    expect(figures.repeatedAnswers).toBe(0);
    console.info('cluster rolling restart', figures);
  }, 60_000);

  it('18:32 across instances: after the fallback, a customer who writes again is answered at once, not behind the hung call', async () => {
    const since = sent.length;
    const chatId = 401;
    // The first call hangs (it would, at a provider in trouble); a later one answers in 80 ms.
    openai.route((body) => (lastUserText(body).includes('pendu') ? { hang: true } : { latencyMs: lastUserText(body).includes('lent') ? 2500 : 80 }));
    try {
      push(chatId, 0);
      await telegram.waitForTexts(chatId, 1, 10_000);
      const hung = telegram.pushMessage(chatId, `client ${chatId} message 1 pendu`);
      sent.push({ chatId, index: 1, messageId: String(hung.message!.message_id) });
      const [, fallback] = await telegram.waitForTexts(chatId, 2, PROMISE_MS + 1000);
      expect(fallback).toMatch(/réfléchis trop/);
      // Written again through the balancer (any instance), routed to the chat's holder, answered by a fresh turn.
      const wroteAgainAt = Date.now();
      push(chatId, 2);
      const texts = await telegram.waitForTexts(chatId, 3, PROMISE_MS);
      expect(texts[2]).toBe(`Réponse à: client ${chatId} message 2`);
      // Liveness, not speed: queued behind the hung call it would wait for its give-up (deadline + 8 s).
      expect(Date.now() - wroteAgainAt).toBeLessThan(PROMISE_MS);
      const figures = await everyoneAnswered(since);
      console.info('cluster 18:32', { ...figures, wroteAgainToAnswerMs: Date.now() - wroteAgainAt });
    } finally {
      openai.route((body) => ({ latencyMs: lastUserText(body).includes('lent') ? 2500 : 80 }));
    }
  }, 40_000);
});

