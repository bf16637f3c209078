// Checks against the full data set where it lies beside the repo (../shared, as on CI); skipped elsewhere.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/data/decode.js';
import { resolveClasses, scanSplit } from '../../src/data/labels.js';

const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const FULL = join(SHARED, 'chest_xray_224');
const ORIGINALS = join(SHARED, 'chest_xray_originals_sample', 'train');

describe.skipIf(!existsSync(FULL))('full chest_xray_224', () => {
  it('scans the official split counts', async () => {
    const classes = await resolveClasses(FULL, { from: 'folder' });
    const counts = await Promise.all(['train', 'val', 'test'].map(async (s) => (await scanSplit(FULL, s, classes, { from: 'folder' })).labels));
    expect(counts.map((l) => [l.filter((v) => v === 0).length, l.filter((v) => v === 1).length])).toEqual([[1341, 3875], [8, 8], [234, 390]]);
  });
});

describe.skipIf(!existsSync(ORIGINALS))('all 40 full-size originals', () => {
  it('decode to 1 and 3 channels', async () => {
    for (const cls of ['NORMAL', 'PNEUMONIA']) {
      for (const name of await readdir(join(ORIGINALS, cls))) {
        for (const channels of [1, 3] as const) {
          const x = await decodeImage(join(ORIGINALS, cls, name), { size: [16, 20], channels });
          expect(x.length).toBe(16 * 20 * channels);
        }
      }
    }
  });
});
