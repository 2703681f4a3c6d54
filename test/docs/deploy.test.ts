import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SMALL_VPS_NODE_ARGS } from '../../bench/profiles.js';

const root = join(import.meta.dirname, '..', '..');
const deploy = readFileSync(join(root, 'docs', 'deploy.md'), 'utf8');

describe('docs/deploy.md', () => {
  it('puts in its systemd unit the Node flags that the bench measures as the small-VPS profile', () => {
    const unit = /^Environment="NODE_OPTIONS=(.*)"$/m.exec(deploy);
    expect(unit?.[1]?.split(' ')).toEqual([...SMALL_VPS_NODE_ARGS]);
  });

  it('names only configuration variables that exist', async () => {
    const { variables } = await import('../../src/infra/config/variables.js');
    const known = new Set(Object.keys(variables));
    const named = [...deploy.matchAll(/`([A-Z][A-Z0-9_]{3,})=/g)].map((match) => match[1]!);
    expect(named.filter((name) => !known.has(name) && !['NODE_OPTIONS', 'NODE_ENV'].includes(name))).toEqual([]);
  });
});
