import { readFileSync } from 'node:fs';

/**
 * Prints where a V8 CPU profile (`node --cpu-prof`) spent its time: self time by function and
 * by package, heaviest first. Usage: `node dist/bench/profile-summary.js FILE.cpuprofile [TOP] [SKIP_MS]`;
 * SKIP_MS leaves out the first milliseconds of the profile (start-up).
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, skipArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node dist/bench/profile-summary.js FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const skipMs = Number(skipArg ?? 0);
const selfMs = new Map<number, number>();
let elapsedMs = 0;
profile.samples.forEach((id, i) => {
  const deltaMs = (profile.timeDeltas[i] ?? 0) / 1000;
  elapsedMs += deltaMs;
  if (elapsedMs >= skipMs) selfMs.set(id, (selfMs.get(id) ?? 0) + deltaMs);
});
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);

const where = (url: string): string => {
  if (url === '') return '(native / V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return url;
  const own = /\/dist\/(.+)$/.exec(url)?.[1];
  return own ?? url;
};

const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const { callFrame } = byId.get(id)!;
  const place = where(callFrame.url);
  const name = `${callFrame.functionName || '(anonymous)'}  ${place}:${callFrame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  byPlace.set(place.startsWith('node:') ? 'node: (core modules)' : place, (byPlace.get(place) ?? 0) + ms);
}
const print = (title: string, entries: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, ms] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${name}\n`);
  }
};
process.stdout.write(`${file}: ${total.toFixed(0)} ms sampled\n`);
print('Self time by package / file', byPlace);
print('Self time by function', byFunction);
