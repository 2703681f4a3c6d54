import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * The bots the bench can run: akwaba itself, the scenario's "sans le fix" bot in two flavours,
 * and a grammY bot that only shows "typing…" and does nothing else: the floor of grammY and
 * this rig for the first sign of life.
 */
export type BotKind = 'akwaba' | 'naive' | 'naive-concurrent' | 'typing-only';

const kindEnv: Record<BotKind, Record<string, string>> = {
  akwaba: {},
  naive: {},
  'naive-concurrent': { NAIVE_CONCURRENCY: 'concurrent' },
  'typing-only': { NAIVE_TYPING_ONLY: 'true' },
};

/** A bot running in its own process, watched through `/proc`. */
export interface BotProcess {
  readonly kind: BotKind;
  readonly pid: number;
  /** `performance.now()` just before the spawn. */
  readonly spawnedAt: number;
  /** Log lines at error level or above (pino level ≥ 50, or anything the naive bot writes to stderr). */
  readonly errorLines: number;
  /** `performance.now()` when it printed that it is running ("akwaba is running", "naive bot is running"). */
  readonly readyLineAt: number | undefined;
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>;
  /** The last 64 kB of its stdout and stderr. */
  output(): string;
  /** Resolves with `performance.now()` when a line of output matches `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<number>;
  /** User + system CPU time used so far, all threads, in ms (clock-tick resolution). */
  cpuMs(): number;
  /** CPU time so far, main thread apart from the others (libuv's file-I/O pool, V8's GC and compiler threads) by name, ms. */
  cpuMsByThread(): Map<string, number>;
  /** Resident set size now, and its peak (VmHWM), in bytes. */
  memory(): { rss: number; peak: number };
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** The script each bot runs; AKWABA_ENTRY benches another build of akwaba (another checkout's `dist/src/main.js`). */
function entryOf(kind: BotKind): string {
  if (kind === 'akwaba') return process.env.AKWABA_ENTRY || fileURLToPath(new URL('../src/main.js', import.meta.url));
  return fileURLToPath(new URL('./naive-bot.js', import.meta.url));
}

const running = new Set<ChildProcess>();
// A bench that dies must not leave bots behind: kill exactly the processes it started.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Spawns a bot with exactly `env` (plus PATH), in `cwd` (so no stray `.env` is read). */
export function spawnBot(kind: BotKind, env: Record<string, string>, cwd: string, nodeArgs: string[] = []): BotProcess {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, entryOf(kind)], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env, ...kindEnv[kind] },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start the ${kind} bot`);
  running.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
  });
  let tail = '';
  let errorLines = 0;
  let readyLineAt: number | undefined;
  const watchers = new Set<{ pattern: RegExp; resolve: (at: number) => void }>();
  const onLine = (line: string, stream: 'stdout' | 'stderr'): void => {
    const level = /"level":(\d+)/.exec(line)?.[1];
    if (level ? Number(level) >= 50 : stream === 'stderr' && line.trim() !== '') errorLines += 1;
    if (readyLineAt === undefined && /akwaba is running|naive bot is running/.test(line)) readyLineAt = performance.now();
    for (const watcher of watchers) {
      if (watcher.pattern.test(line)) {
        watchers.delete(watcher);
        watcher.resolve(performance.now());
      }
    }
  };
  for (const [stream, name] of [[child.stdout, 'stdout'], [child.stderr, 'stderr']] as const) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-65_536);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line, name);
    });
  }
  const pid = child.pid;

  return {
    kind,
    pid,
    spawnedAt,
    get errorLines() {
      return errorLines;
    },
    get readyLineAt() {
      return readyLineAt;
    },
    exited,
    output: () => tail,
    waitForOutput(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(watcher);
          reject(new Error(`${kind} bot: no ${pattern} in its output within ${timeoutMs} ms:\n${tail}`));
        }, timeoutMs);
        const watcher = {
          pattern,
          resolve: (at: number) => {
            clearTimeout(timer);
            resolve(at);
          },
        };
        watchers.add(watcher);
        void exited.then((code) => {
          if (!watchers.has(watcher)) return;
          watchers.delete(watcher);
          clearTimeout(timer);
          reject(new Error(`${kind} bot exited (${code}) before printing ${pattern}:\n${tail}`));
        });
      });
    },
    cpuMs: () => cpuOf(`/proc/${pid}/stat`).ms,
    cpuMsByThread() {
      const byName = new Map<string, number>();
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        try {
          const { name, ms } = cpuOf(`/proc/${pid}/task/${task}/stat`);
          const key = task === String(pid) ? 'main thread' : `other threads (${name})`;
          byName.set(key, (byName.get(key) ?? 0) + ms);
        } catch {
          // the thread ended meanwhile
        }
      }
      return byName;
    },
    memory() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
      return { rss: kb('VmRSS'), peak: kb('VmHWM') };
    },
    async stop(graceMs = 4000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Name and user + system CPU ms of a process or thread, from its `stat` file. */
function cpuOf(path: string): { name: string; ms: number } {
  const stat = readFileSync(path, 'utf8');
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '').trim();
  // Fields after the command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { name, ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond() };
}

/** A free TCP port on this machine (for the bot's `/metrics`, whose port is only logged at info level). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sums the samples of a Prometheus metric whose labels contain every `labels` pair. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const set = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => set.includes(`${key}="${value}"`))) total += Number(match[3]);
  }
  return total;
}
