/** `exp data inspect --augment x.yaml`: the grid of augmented training images users check before training. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAndValidate } from '../../src/config/validate.js';
import { augmentPreview } from '../../src/inspect/augment-preview.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const SAMPLE = path.join(REPO, 'data', 'sample');

let root: string;
const experiment = (augment: string): string => {
  const file = path.join(root, `exp-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `experiment: e\nname: preview\ndata: {dir: ${JSON.stringify(SAMPLE)}, image: {size: 32, channels: 1}, cache: false}\nmodel: {architecture: cnn1}\naugment: ${augment}\ntrain: {epochs: 1, seed: 5}\n`);
  return file;
};
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'exp-augment-preview-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the augmentation preview', () => {
  it('is seeded: the same experiment draws the same grid, another augment list another; mixup captions mixed targets', async () => {
    const file = experiment('[{cutout: {size: 0.3}}, {mixup: {alpha: 0.4}}]');
    const [a, b] = [await augmentPreview(loadAndValidate(file)), await augmentPreview(loadAndValidate(file))];
    expect(Buffer.from(a.png).equals(Buffer.from(b.png))).toBe(true);
    const c = await augmentPreview(loadAndValidate(experiment('[{rotate: {degrees: 20}}]')));
    expect(Buffer.from(c.png).equals(Buffer.from(a.png))).toBe(false);
    expect(a.svg).toContain('as loaded');
    expect(a.svg).toMatch(/PNEUMONIA 0\.\d\d/);
    expect(a.svg).toContain('augment: cutout, mixup (seed 5)');
    // 6 rows of 1 + 5 tiles.
    expect(a.svg.match(/<image /g)).toHaveLength(36);
  });

  it('exp data inspect --augment writes augmented.png into --out', () => {
    const bin = path.join(REPO, 'bin', 'exp.js');
    if (!existsSync(path.join(REPO, 'dist', 'inspect', 'augment-preview.js'))) throw new Error('run npm run build first: this test spawns the built CLI');
    const out = path.join(root, 'out');
    const res = spawnSync(process.execPath, [bin, 'data', 'inspect', '--augment', experiment('[{shear: {degrees: 10}}]'), '--out', out], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/wrote .*augmented\.png/);
    expect(readFileSync(path.join(out, 'augmented.png')).subarray(1, 4).toString()).toBe('PNG');
    return sharp(path.join(out, 'augmented.png')).metadata().then((m) => expect(m.width).toBeGreaterThan(500));
  });
});
