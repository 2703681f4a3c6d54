/**
 * `npm run bench:voice`: what a voice note costs over the same words typed, on the fakes.
 *
 * In one process: the real Telegram channel (grammY), the core, the OpenAI responder and the
 * voice reader (the real OpenAI SDK for the transcription and the chat), against the fake Bot
 * API and the fake OpenAI on 127.0.0.1 with no added latency. Customers, one after the other,
 * send the same question typed or spoken (a real 4.7 s OGG/Opus note); the time from the
 * message reaching the fake Telegram to the answer reaching it is measured for each. Then a
 * burst of notes at once shows the overhead under load. The difference is akwaba's own voice
 * path: `getFile`, the download, the multipart upload and the JSON answer, on loopback. Real
 * networks add Telegram's and OpenAI's own time (see README, "Voice notes").
 *
 * Flags: `--notes=N` (default 200, alternating typed and spoken), `--burst=N` (default 50).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { createTelegramChannel } from '../channels/telegram/index.js';
import { createEngine } from '../src/core/engine.js';
import { frenchTexts } from '../src/core/texts.js';
import { createMemoryHistoryStore } from '../src/durable/history.js';
import { createLogger } from '../src/infra/logger.js';
import { createMetrics } from '../src/infra/metrics.js';
import { createOpenAIResponder } from '../src/model/openai.js';
import { createTranscriber } from '../src/model/transcribe.js';
import { createVoiceReader } from '../src/voice/index.js';
import { startFakeOpenAI } from '../test/support/fake-openai.js';
import { startFakeTelegram, type FakeTelegram } from '../test/support/fake-telegram.js';
import { percentile } from './stats.js';

const args = process.argv.slice(2);
const numberFlag = (name: string, fallback: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const NOTES = numberFlag('notes', 200);
const BURST = numberFlag('burst', 50);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NOTE = readFileSync(join(root, 'test', 'fixtures', 'voice', 'bonjour-robe-yopougon.ogg'));
const SAID = 'Bonjour, je cherche une robe pour un mariage. Vous livrez à Yopougon ?';

async function main(): Promise<void> {
  const telegram = await startFakeTelegram({ token: '654321:fake-token-for-the-local-bot-api' });
  const openai = await startFakeOpenAI();
  openai.audio.knows(NOTE, SAID);
  const logger = createLogger({ level: 'silent' });
  const metrics = createMetrics({ defaults: false });
  const client = new OpenAI({ apiKey: 'sk-bench', baseURL: `${openai.url}/v1`, maxRetries: 0 });
  const engine = createEngine({
    responder: createOpenAIResponder({ client, model: 'gpt-4o-mini', systemPrompt: 'Tu es la boutique Mode Ivoire.' }),
    history: createMemoryHistoryStore(),
    metrics,
    logger,
    texts: frenchTexts('Désolé, je réfléchis trop. Un petit instant... 🤔'),
    deadlines: { replyMs: 8000, lateAnswerMs: 45_000 },
    read: createVoiceReader({
      transcriber: createTranscriber({ client, model: 'gpt-4o-mini-transcribe', language: 'fr' }),
      metrics,
      logger,
      maxSeconds: 120,
      maxWaitMs: 53_000,
    }),
  });
  const channel = createTelegramChannel({ token: telegram.token, apiRoot: telegram.url, logger, pollingTimeoutSeconds: 2 });
  await channel.start(engine.receive);

  const answerAt = (chatId: number) => telegram.waitFor((call) => call.method === 'sendMessage' && Number(call.params.chat_id) === chatId && call.status === 200, 30_000).then((call) => call.at);
  const sentAt = new Map<number, number>();
  const send = (chatId: number, spoken: boolean) => {
    sentAt.set(chatId, Date.now());
    if (spoken) telegram.pushVoice(chatId, NOTE, { durationSec: 5 });
    else telegram.pushMessage(chatId, SAID);
  };

  // Warm-up: JIT, sockets, the SDK's first requests.
  for (let i = 0; i < 20; i += 1) {
    send(900_000 + i, i % 2 === 1);
    await answerAt(900_000 + i);
  }

  const typed: number[] = [];
  const spoken: number[] = [];
  for (let i = 0; i < NOTES; i += 1) {
    const chatId = 100_000 + i;
    const voice = i % 2 === 1;
    send(chatId, voice);
    const at = await answerAt(chatId);
    (voice ? spoken : typed).push(at - sentAt.get(chatId)!);
  }
  const stages = stagesOf(telegram, openai.audio.requests.map((request) => request.at));

  /** `BURST` customers at once, typing or speaking: time from the first sent to each answer. */
  const burstOf = async (voice: boolean, firstChat: number): Promise<number[]> => {
    const started = Date.now();
    return Promise.all(
      Array.from({ length: BURST }, async (_, i) => {
        send(firstChat + i, voice);
        return (await answerAt(firstChat + i)) - started;
      }),
    );
  };
  const typedBurst = await burstOf(false, 200_000);
  const burst = await burstOf(true, 300_000);
  const transcription = await metrics.transcriptionLatency.get();
  const sum = transcription.values.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
  const count = transcription.values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 1;

  await channel.stop();
  await engine.drain();
  await telegram.close();
  await openai.close();

  const row = (name: string, s: Stats) => `| ${name} | ${s.count} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.max} |`;
  const t = stats(typed);
  const v = stats(spoken);
  process.stdout.write(
    [
      `Voice notes on the fakes (${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${NOTE.byteLength} B OGG/Opus note of 4.7 s)`,
      '',
      '| time to the answer (ms) | n | p50 | p90 | p99 | max |',
      '| --- | --- | --- | --- | --- | --- |',
      row('typed question', t),
      row('the same question spoken', v),
      row(`${BURST} typed at once (from the first sent)`, stats(typedBurst)),
      row(`${BURST} spoken at once (from the first sent)`, stats(burst)),
      '',
      `Voice overhead at p50: ${v.p50 - t.p50} ms; at p90: ${v.p90 - t.p90} ms.`,
      `Of which: getFile to the upload reaching OpenAI ${stages.download} ms (median), transcription call as the bot saw it ${((sum / count) * 1000).toFixed(1)} ms (mean, all notes).`,
      '',
    ].join('\n'),
  );
}

/** Median time from each `getFile` to the matching transcription request's arrival. */
function stagesOf(telegram: FakeTelegram, uploads: readonly number[]): { download: number } {
  const getFiles = telegram.calls.filter((call) => call.method === 'getFile').map((call) => call.at);
  const gaps = uploads.map((at, i) => at - (getFiles[i] ?? at)).filter((gap) => gap >= 0);
  return { download: stats(gaps).p50 };
}

interface Stats {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:voice: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
