import { describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../../channels/telegram/index.js';
import { createLogger } from '../../../src/infra/logger.js';

describe('stopping while Telegram is unreachable', () => {
  it('does not wait out the retry delay', async () => {
    const channel = createTelegramChannel({
      token: '654321:fake-token-for-the-local-bot-api',
      apiRoot: 'http://127.0.0.1:9', // nothing listens on the discard port
      logger: createLogger({ level: 'silent' }),
      restartDelayMs: 600_000,
    });
    await channel.start(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300)); // getMe failed, retries are waiting
    // Telegram's own retries back off for a minute and more, our restart delay is ten minutes:
    // only abortable waits let stop() return within the test's time.
    await channel.stop();
    expect(channel.status().state).toBe('stopped');
  });
});
