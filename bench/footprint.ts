import type { BotKind } from './bot-process.js';
import type { BotVariant } from './profiles.js';
import { startStack } from './stack.js';
import { sleep, until } from './stats.js';

/** One start of a bot, idle: how long until it is up, and what it weighs. */
export interface FootprintRun {
  readonly kind: BotKind;
  readonly label: string;
  /** A start with the DATA_DIR of an earlier run (akwaba's database already created). */
  readonly restart: boolean;
  /** Spawn to its "is running" log line, ms. */
  readonly readyLineMs: number;
  /** Spawn to its first `getUpdates` (really listening), ms. */
  readonly pollingMs: number;
  /** VmRSS after `idleMs` of idling once polling. */
  readonly idleRssBytes: number;
  /** CPU used during those `idleMs`, ms. */
  readonly idleCpuMs: number;
  /** CPU used from spawn to the end of the idle time, ms. */
  readonly startCpuMs: number;
}

/** Starts the bot (info-level logs, so the ready line is printed), waits, measures, stops. */
export async function runFootprint(variant: BotVariant, idleMs: number, dataDir?: { path: string; restart: boolean }): Promise<FootprintRun> {
  const { kind } = variant;
  const stack = await startStack(kind, {
    env: { LOG_LEVEL: 'info' },
    nodeArgs: [...(variant.nodeArgs ?? [])],
    supabase: variant.supabase === true,
    ...(dataDir && { dataDir: dataDir.path }),
  });
  const { bot } = stack;
  try {
    await until(() => bot.readyLineAt !== undefined, 5000);
    const cpuBefore = bot.cpuMs();
    await sleep(idleMs);
    const cpuAfter = bot.cpuMs();
    return {
      restart: dataDir?.restart ?? false,
      idleCpuMs: cpuAfter - cpuBefore,
      startCpuMs: cpuAfter,
      kind,
      label: variant.label,
      readyLineMs: (bot.readyLineAt ?? Number.NaN) - bot.spawnedAt,
      pollingMs: stack.pollingAt - bot.spawnedAt,
      idleRssBytes: bot.memory().rss,
    };
  } finally {
    await stack.close();
  }
}
