import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';

const entry = join(import.meta.dirname, '..', '..', 'dist', 'src', 'main.js');

/** One `node dist/src/main.js` of the shared mode. */
export interface InstanceProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly dataDir: string;
  output: string;
  readonly exited: Promise<number | null>;
}

/** Starts one instance with `env` and resolves once it listens. */
export async function startInstance(env: Record<string, string>): Promise<InstanceProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'akwaba-cluster-'));
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', HTTP_PORT: '0', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const instance = {
    child,
    dataDir,
    output: '',
    port: 0,
    exited: new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stdout!.on('data', (chunk: Buffer) => (instance.output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (instance.output += chunk.toString()));
  const port = await vi.waitFor(
    () => {
      const match = /"http":"http:\/\/localhost:(\d+)"/.exec(instance.output);
      if (!match) throw new Error(`not running yet:\n${instance.output}`);
      return Number(match[1]);
    },
    { timeout: 30_000, interval: 25 },
  );
  return Object.assign(instance, { port });
}

/** Stops an instance (`SIGKILL` by default) and removes its folder. */
export async function stopInstance(instance: InstanceProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
  if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill(signal);
  const code = await instance.exited;
  rmSync(instance.dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  return code;
}

/** A round-robin load balancer in front of the instances' webhooks: a refused connection goes to the next one. */
export interface Balancer {
  readonly url: string;
  /** The ports it sends to, in turn. */
  targets: number[];
  close(): Promise<void>;
}

export async function startBalancer(): Promise<Balancer> {
  let next = 0;
  const balancer = { targets: [] as number[], url: '', close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  const forward = (port: number, method: string, path: string, headers: Record<string, string | string[] | undefined>, body: Buffer) =>
    new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port, method, path, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 502, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      for (let tries = 0; tries < balancer.targets.length; tries++) {
        const port = balancer.targets[next++ % balancer.targets.length]!;
        try {
          const answer = await forward(port, req.method ?? 'POST', req.url ?? '/', req.headers, body);
          res.writeHead(answer.status).end(answer.body);
          return;
        } catch {
          // refused or reset: a balancer tries the next instance
        }
      }
      res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  balancer.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return balancer;
}
