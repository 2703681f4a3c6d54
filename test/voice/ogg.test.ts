import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { oggOpusDurationSec } from '../../src/voice/ogg.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/voice/${name}.ogg`, import.meta.url));

describe('oggOpusDurationSec', () => {
  it('reads the length of real OGG/Opus notes (opusinfo says 4.673 s, 3.681 s and 2.000 s)', () => {
    expect(oggOpusDurationSec(fixture('bonjour-robe-yopougon'))).toBeCloseTo(4.673, 2);
    expect(oggOpusDurationSec(fixture('pagne-wax-marcory'))).toBeCloseTo(3.681, 2);
    expect(oggOpusDurationSec(fixture('silence'))).toBeCloseTo(2, 2);
  });

  it('says nothing for what is not OGG/Opus, or is cut before its first page ends', () => {
    expect(oggOpusDurationSec(Buffer.from('ID3\u0004 an mp3 file, not an ogg one, and long enough to be read'))).toBeUndefined();
    expect(oggOpusDurationSec(fixture('silence').subarray(0, 20))).toBeUndefined();
    expect(oggOpusDurationSec(new Uint8Array())).toBeUndefined();
  });
});
