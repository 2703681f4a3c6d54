import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frenchTexts } from '../src/core/texts.js';
import { startFakeOpenAI, type FakeOpenAI } from '../test/support/fake-openai.js';
import { freePort, metricValue, spawnBot, type BotKind, type BotProcess } from './bot-process.js';
import { startBenchSupabase } from './fake-supabase.js';
import { startBenchTelegram, type BenchTelegram } from './fake-telegram.js';

export const TOKEN = '654321:fake-token-for-the-local-bot-api';
export const FALLBACK = 'Désolé, je réfléchis trop. Un petit instant... 🤔';
/** akwaba's "write again in a few minutes", sent when even the late answer could not come. */
export const UNAVAILABLE = frenchTexts(FALLBACK).unavailable;

/**
 * What a bot's message is: the fake model's answer (it echoes "Réponse à: <last customer text>"),
 * the fallback, the give-up message, or anything else akwaba says on its own (a quick
 * answer from the catalogue instead of the fallback).
 */
export type SentKind = 'model' | 'fallback' | 'unavailable' | 'quick';

export function kindOfText(text: string): SentKind {
  if (text.startsWith('Réponse à: ')) return 'model';
  if (text === FALLBACK) return 'fallback';
  if (text === UNAVAILABLE) return 'unavailable';
  return 'quick';
}

/** One bot process wired to its own fake Telegram and fake OpenAI on 127.0.0.1. */
export interface Stack {
  readonly kind: BotKind;
  readonly telegram: BenchTelegram;
  readonly openai: FakeOpenAI;
  readonly bot: BotProcess;
  /** `performance.now()` of the bot's first `getUpdates`. */
  readonly pollingAt: number;
  /** akwaba's Prometheus text (empty for the naive bots). */
  metrics(): Promise<string>;
  metric(text: string, name: string, labels?: Record<string, string>): number;
  close(): Promise<void>;
}

export interface StackOptions {
  /** akwaba settings (REPLY_DEADLINE_MS, LATE_ANSWER_MS, LOG_LEVEL…) or the naive bot's (NAIVE_MODEL_TIMEOUT_MS). */
  readonly env?: Record<string, string>;
  /** Set up the fake model before the bot starts. */
  readonly prepare?: (openai: FakeOpenAI) => void;
  readonly nodeArgs?: string[];
  readonly readyTimeoutMs?: number;
  /** Use this DATA_DIR and leave it in place (a restart); by default a fresh one is made and removed. */
  readonly dataDir?: string;
  /** akwaba with Supabase configured (a fake data API) instead of its embedded database. */
  readonly supabase?: boolean;
}

/** Starts the fakes, then the bot, and resolves once the bot is long polling. */
export async function startStack(kind: BotKind, options: StackOptions = {}): Promise<Stack> {
  const telegram = await startBenchTelegram(TOKEN);
  const openai = await startFakeOpenAI();
  const supabase = options.supabase ? await startBenchSupabase() : undefined;
  options.prepare?.(openai);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `akwaba-bench-${kind}-`));
  const httpPort = kind === 'akwaba' ? await freePort() : 0;
  const env: Record<string, string> = {
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: telegram.url,
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: `${openai.url}/v1`,
    HTTP_PORT: String(httpPort),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ...supabase?.env,
    ...options.env,
  };
  // `--cpu-prof=DIR` on the bench's command line profiles every akwaba process (written when it exits).
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  // BENCH_AKWABA_NODE_ARGS tries Node flags on akwaba (e.g. `--max-semi-space-size=2`) without a rebuild.
  const tried = kind === 'akwaba' ? (process.env.BENCH_AKWABA_NODE_ARGS ?? '').split(' ').filter(Boolean) : [];
  const nodeArgs = [...tried, ...(options.nodeArgs ?? []), ...(profileDir && kind === 'akwaba' ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])];
  const bot = spawnBot(kind, env, dataDir, nodeArgs);
  const cleanup = async () => {
    await bot.stop();
    await telegram.close();
    await openai.close();
    await supabase?.close();
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  let pollingAt: number;
  try {
    const timeoutMs = options.readyTimeoutMs ?? 15_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    pollingAt = await Promise.race([
      telegram.polling(),
      bot.exited.then((code) => Promise.reject(new Error(`${kind} bot exited (${code}) before polling:\n${bot.output()}`))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${kind} bot not polling after ${timeoutMs} ms:\n${bot.output()}`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    kind,
    telegram,
    openai,
    bot,
    pollingAt,
    async metrics() {
      if (kind !== 'akwaba') return '';
      const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`, { signal: AbortSignal.timeout(5000) });
      return response.text();
    },
    metric: metricValue,
    close: cleanup,
  };
}
