import { Bot, type Context, type Filter } from 'grammy';
import OpenAI from 'openai';

/**
 * The baseline: the bot of the scenario's "sans le fix" timeline, written the way it usually
 * is. grammY long polling with `bot.start()`, the OpenAI SDK awaited in the handler with a
 * 30 s timeout and no retry, no typing indicator, no fallback; a failure is only logged, the
 * customer hears nothing.
 *
 * `bot.start()` hands updates to the handler one at a time, so while one customer's model
 * call is slow every other customer waits too. `NAIVE_CONCURRENCY=concurrent` starts each
 * answer without awaiting it (updates handled in parallel): the scenario's bot exactly, where
 * only the customer whose call fails is left in silence. `NAIVE_TYPING_ONLY=true` makes a
 * bot that only shows "typing…" (not awaited) and answers nothing: the bench's reference for
 * how soon grammY alone can show a sign of life.
 *
 * Environment: TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT, OPENAI_API_KEY, OPENAI_BASE_URL,
 * OPENAI_MODEL, NAIVE_MODEL_TIMEOUT_MS (default 30000), NAIVE_CONCURRENCY, NAIVE_TYPING_ONLY.
 */
const env = process.env;
const token = env.TELEGRAM_BOT_TOKEN ?? '';
if (!token) {
  process.stderr.write('naive-bot: set TELEGRAM_BOT_TOKEN\n');
  process.exit(1);
}

const bot = new Bot(token, { client: { apiRoot: env.TELEGRAM_API_ROOT ?? 'https://api.telegram.org' } });
const openai = new OpenAI({
  apiKey: env.OPENAI_API_KEY,
  baseURL: env.OPENAI_BASE_URL,
  timeout: Number(env.NAIVE_MODEL_TIMEOUT_MS ?? 30_000),
  maxRetries: 0,
});
const model = env.OPENAI_MODEL ?? 'gpt-4o-mini';
const systemPrompt = "Tu es l'assistant de la boutique de vêtements « Mode Ivoire » à Abidjan.";

async function answer(ctx: Filter<Context, 'message:text'>): Promise<void> {
  try {
    const completion = await openai.chat.completions.create({
      model,
      messages: [
        { role: 'system', content: systemPrompt },
        { role: 'user', content: ctx.message.text },
      ],
    });
    const text = completion.choices[0]?.message?.content;
    if (text) await ctx.reply(text);
  } catch (error) {
    console.error(`naive-bot: no answer for chat ${ctx.chat.id}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

if (env.NAIVE_TYPING_ONLY === 'true') {
  bot.on('message:text', (ctx) => {
    ctx.replyWithChatAction('typing').catch((error: unknown) => console.error('naive-bot: typing not sent:', error));
  });
} else if (env.NAIVE_CONCURRENCY === 'concurrent') {
  bot.on('message:text', (ctx) => {
    void answer(ctx);
  });
} else {
  bot.on('message:text', answer);
}
bot.catch((error) => console.error('naive-bot: update not handled:', error.message));

process.once('SIGTERM', () => {
  void bot.stop().finally(() => process.exit(0));
});

void bot.start({ onStart: () => console.log('naive bot is running') });
