import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lastUserText, startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { openPostgres, PG_ADMIN } from '../store/engines.js';
import { startInstance, stopInstance, type InstanceProcess } from './cluster-stack.js';

const DEADLINE_MS = 1500;
/** The liveness bound: every message hears from us by its deadline plus one second. */
const PROMISE_MS = DEADLINE_MS + 1000;

interface PageEvent {
  readonly id: string;
  readonly type: string;
  readonly from: string;
  readonly text?: string;
  /** When the test heard it (epoch ms). */
  readonly heardAt: number;
}

/** One open page: the events its `/chat/events` stream delivered, in order. */
interface Page {
  readonly events: PageEvent[];
  readonly shop: () => PageEvent[];
  readonly lastEventId: () => string | undefined;
  close(): void;
}

async function openPage(port: number, visitorId: string, lastEventId?: string): Promise<Page> {
  const controller = new AbortController();
  const response = await fetch(`http://127.0.0.1:${port}/chat/events?visitor=${visitorId}`, {
    headers: lastEventId ? { 'last-event-id': lastEventId } : {},
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  const events: PageEvent[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(block)?.[1];
        const type = /^event: (.*)$/m.exec(block)?.[1];
        if (data && (type === 'message' || type === 'photo')) events.push({ ...(JSON.parse(data) as Omit<PageEvent, 'heardAt'>), heardAt: Date.now() });
      }
    }
  })().catch(() => undefined); // the instance was killed: the page would reconnect elsewhere
  return {
    events,
    shop: () => events.filter((event) => event.from === 'shop'),
    lastEventId: () => events.at(-1)?.id,
    close: () => controller.abort(),
  };
}

async function post(port: number, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * The web chat across two `node dist/src/main.js` on one Postgres: a visitor's page on one
 * instance hears the reply another sent (LISTEN/NOTIFY), and when the instance answering the
 * chat is killed, the page reconnects to the survivor and finds its chat and its answers there.
 */
describe('the web chat on two instances', () => {
  let db: Awaited<ReturnType<typeof openPostgres>>;
  let openai: FakeOpenAI;
  const instances = new Map<number, InstanceProcess>();
  const pages: Page[] = [];

  beforeAll(async () => {
    [db, openai] = await Promise.all([openPostgres({ migrate: false }), startFakeOpenAI()]);
    openai.route((body) => ({ latencyMs: lastUserText(body).includes('lent') ? 2500 : 80 }));
    const env = {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${openai.url}/v1`,
      DATABASE_URL: `postgresql://${PG_ADMIN.user}@${PG_ADMIN.host}:${PG_ADMIN.port}/${db.database}`,
      REPLY_DEADLINE_MS: String(DEADLINE_MS),
      LATE_ANSWER_MS: '8000',
    };
    // The first one migrates and seeds; the second finds it done.
    const started = [await startInstance(env)];
    started.push(await startInstance(env));
    for (const instance of started) {
      const health = (await (await fetch(`http://127.0.0.1:${instance.port}/healthz`)).json()) as { instance: { id: number } };
      instances.set(health.instance.id, instance);
    }
  }, 60_000);

  afterAll(async () => {
    for (const page of pages) page.close();
    await Promise.all([...instances.values()].map((instance) => stopInstance(instance)));
    await openai?.close();
    await db?.close();
  });

  it('shows a reply on the page wherever it is connected, and a killed instance silences nobody', async () => {
    const [first, second] = [...instances.values()];
    const issued = await post(first!.port, '/chat/visitors', {});
    expect(issued.status).toBe(201);
    const visitorId = issued.body.visitorId as string;
    // The instance that will answer the chat: the claim's rendezvous hash over the live instances.
    const [pick] = await db.query<{ id: string }>(
      `SELECT i.id FROM cluster.instances i WHERE i.id IN (SELECT cluster.live_instances()) AND NOT i.leaving
       ORDER BY md5('web:' || $1 || ':' || i.id) LIMIT 1`,
      [visitorId.slice(0, 22)],
    );
    const holder = instances.get(Number(pick!.id))!;
    const other = holder === first ? second! : first!;

    // The page is on the instance that does not answer; the message goes to the one that does.
    const page = await openPage(other.port, visitorId);
    pages.push(page);
    const sentAt = Date.now();
    expect((await post(holder.port, '/chat/messages', { visitorId, clientMessageId: 'm1', text: 'bonjour' })).status).toBe(202);
    await vi.waitFor(() => expect(page.shop().map((event) => event.text)).toEqual(['Réponse à: bonjour']), { timeout: PROMISE_MS, interval: 20 });
    expect(page.shop()[0]!.heardAt - sentAt).toBeLessThanOrEqual(PROMISE_MS);
    const [owner] = await db.query<{ instance_id: string }>(`SELECT instance_id FROM cluster.chats WHERE channel = 'web' AND chat_id = $1`, [visitorId.slice(0, 22)]);
    expect(instances.get(Number(owner!.instance_id))).toBe(holder);

    // A second tab, on the answering instance, shows the chat so far (one chat log for all).
    const tab = await openPage(holder.port, visitorId);
    pages.push(tab);
    await vi.waitFor(() => expect(tab.events.map((event) => event.text)).toEqual(['bonjour', 'Réponse à: bonjour']), { timeout: 2000, interval: 20 });

    // A slow message, then the answering instance dies before it answers.
    const slowAt = Date.now();
    expect((await post(other.port, '/chat/messages', { visitorId, clientMessageId: 'm2', text: 'lent, deux' })).status).toBe(202);
    await stopInstance(holder);
    instances.forEach((instance, id) => instance === holder && instances.delete(id));

    // The tab reconnects to the survivor with the same visitor id and its last event.
    expect((await post(other.port, '/chat/visitors', { visitorId })).body.visitorId).toBe(visitorId);
    const moved = await openPage(other.port, visitorId, tab.lastEventId());
    pages.push(moved);
    const history = (await (await fetch(`http://127.0.0.1:${other.port}/chat/history?visitor=${visitorId}`)).json()) as { messages: PageEvent[] };
    expect(history.messages.slice(0, 3).map((event) => event.text)).toEqual(['bonjour', 'Réponse à: bonjour', 'lent, deux']);

    // The survivor took the chat over: the fallback by the deadline (+1 s), then the late answer.
    await vi.waitFor(() => expect(page.shop().length).toBeGreaterThanOrEqual(2), { timeout: PROMISE_MS + 500, interval: 20 });
    const firstResponseMs = page.shop()[1]!.heardAt - slowAt;
    expect(firstResponseMs).toBeLessThanOrEqual(PROMISE_MS);
    await vi.waitFor(() => expect(page.shop().map((event) => event.text)).toContain('Réponse à: lent, deux'), { timeout: 8000, interval: 50 });

    // And the next message is answered by the survivor, on both of the visitor's pages.
    const nextAt = Date.now();
    expect((await post(other.port, '/chat/messages', { visitorId, clientMessageId: 'm3', text: 'encore' })).status).toBe(202);
    for (const open of [page, moved]) {
      await vi.waitFor(() => expect(open.shop().map((event) => event.text)).toContain('Réponse à: encore'), { timeout: PROMISE_MS, interval: 20 });
    }
    expect(page.shop().at(-1)!.heardAt - nextAt).toBeLessThanOrEqual(PROMISE_MS);
    const shown = moved.events.map((event) => event.text);
    expect(new Set(moved.events.map((event) => event.id)).size).toBe(moved.events.length);
    expect(shown).not.toContain('bonjour'); // resumed after its last event, not replayed
    process.stdout.write(`web chat across instances: first reply ${page.shop()[0]!.heardAt - sentAt} ms, after the kill ${firstResponseMs} ms (${page.shop()[1]!.text})\n`);
  }, 30_000);
});
