import type { DestinationStream } from 'pino';
import type { App } from '../../src/app.js';
import { createLogger } from '../../src/infra/logger.js';
import { StoreError } from '../../src/store/errors.js';
import type { OrderRequest, Store } from '../../src/store/types.js';
import type { ChatCompletionRequestBody, FakeOpenAI, FakeReply } from '../support/fake-openai.js';
import type { FakeTelegram } from '../support/fake-telegram.js';
import { startAppStack } from '../support/app-stack.js';

/** Realistic-looking secrets, so the redaction patterns meet what they will meet in production. */
export const SECRETS = {
  botToken: '7212345678:FAKE_security-test-token-000000000000',
  openaiKey: 'sk-proj-Zq8xV3mN5bT2wK9rL4yH7cF1dG6sJ0aE',
  supabaseKey:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIiwiaXNzIjoic3VwYWJhc2UifQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  adminToken: 'admin-7f3c9a1e5b2d8f4a6c0e9b7d',
} as const;

/** One customer's phone number, in the ways it gets written. */
export const PHONE = { e164: '+2250708091011', spaced: '07 08 09 10 11', local: '0708091011', international: '2250708091011' } as const;

export const OWNER_CHAT_ID = 999_000;

/** What the spy saw of the store, and the switch to make it fail. */
export interface StoreSpy {
  readonly placed: OrderRequest[];
  readonly statusChanges: unknown[][];
  /** When set, every call fails with this error (a database down, or one echoing its config). */
  failure: Error | undefined;
  readonly real: Store;
}

/** Wraps the real store: records orders and status changes, and can fail every call. */
function spyOn(real: Store): { store: Store; spy: StoreSpy } {
  const spy: StoreSpy = { placed: [], statusChanges: [], failure: undefined, real };
  const store = new Proxy(real, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || property === 'close') return value;
      return async (...args: unknown[]) => {
        if (property === 'placeOrder') spy.placed.push(args[0] as OrderRequest);
        if (property === 'setOrderStatus') spy.statusChanges.push(args);
        if (spy.failure) throw spy.failure;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, spy };
}

/** The whole app (store, catalogue, orders, tools, core, Telegram) against the fakes, with real-looking secrets. */
export interface SecureStack {
  readonly app: App;
  readonly telegram: FakeTelegram;
  readonly openai: FakeOpenAI;
  readonly spy: StoreSpy;
  texts(chatId: number): string[];
  waitForTexts(chatId: number, count: number, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function startSecureStack(
  options: { destination?: DestinationStream; env?: Record<string, string> } = {},
): Promise<SecureStack> {
  let spy: StoreSpy | undefined;
  const stack = await startAppStack({
    telegramToken: SECRETS.botToken,
    openaiKey: SECRETS.openaiKey,
    ...(options.destination && { logger: createLogger({ level: 'debug', destination: options.destination }) }),
    wrapStore: (store) => {
      const watched = spyOn(store);
      spy = watched.spy;
      return watched.store;
    },
    env: {
      OPENAI_API_KEY: SECRETS.openaiKey,
      SUPABASE_URL: 'https://abcdefghijkl.supabase.co',
      SUPABASE_SERVICE_ROLE_KEY: SECRETS.supabaseKey,
      ADMIN_TOKEN: SECRETS.adminToken,
      REPLY_DEADLINE_MS: '4000',
      LATE_ANSWER_MS: '4000',
      ...options.env,
    },
  });
  const watched = spy!;
  return {
    ...stack,
    spy: watched,
    async close() {
      watched.failure = undefined;
      await stack.close();
    },
  };
}

/** A database error that echoes its connection settings, as some drivers do. */
export function leakyStoreError(): StoreError {
  return new StoreError('orders.place', {
    code: 'store_unavailable',
    message: `connect ETIMEDOUT https://abcdefghijkl.supabase.co apikey=${SECRETS.supabaseKey} (last order for ${PHONE.e164})`,
  });
}

/** A tool call as the model sends it. */
export function toolCall(name: string, args: unknown): FakeReply {
  const id = `call_${Math.random().toString(36).slice(2, 10)}`;
  return { tool_calls: [{ id, type: 'function', function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) } }] };
}

/** The last message of a request (the tool result, when the model called one). */
export function lastMessage(body: ChatCompletionRequestBody): { role: string; content?: unknown } {
  return body.messages.at(-1)!;
}
