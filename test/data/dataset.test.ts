import { describe, expect, it } from 'vitest';
import { countsByClass } from '../../src/data/counts.js';
import { loadDataset } from '../../src/data/dataset.js';
import { SAMPLE_DIR } from './fixtures.js';

describe('loadDataset on the real sample in data/sample', () => {
  it('carves a stratified validation set out of train', async () => {
    let lastProgress: [number, number] = [0, 0];
    const ds = await loadDataset({
      dir: SAMPLE_DIR,
      image: { size: [32, 32], channels: 1 },
      validation: { from: 'train', fraction: 0.1, stratify: true },
      seed: 42,
      onBadImage: 'fail',
      cacheDir: null,
      onProgress: (done, total) => (lastProgress = [done, total]),
    });
    expect(ds.classes).toEqual(['NORMAL', 'PNEUMONIA']);
    expect(ds.shape).toEqual([32, 32, 1]);
    expect(countsByClass(ds.train, ds.classes)).toEqual({ NORMAL: 72, PNEUMONIA: 72 });
    expect(countsByClass(ds.val, ds.classes)).toEqual({ NORMAL: 8, PNEUMONIA: 8 });
    expect(countsByClass(ds.test, ds.classes)).toEqual({ NORMAL: 30, PNEUMONIA: 30 });
    expect(lastProgress).toEqual([220, 220]);
    for (const split of [ds.train, ds.val, ds.test]) {
      expect(split.x.length).toBe(split.count * 32 * 32);
      expect(split.y.length).toBe(split.count);
      expect(split.files).toHaveLength(split.count);
      expect(split.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
    expect(new Set([...ds.train.files, ...ds.val.files]).size).toBe(160);
    expect(ds.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(ds.skipped).toEqual([]);
  });

  it('uses the val folder with validation from val, as 3 channels', async () => {
    const ds = await loadDataset({
      dir: SAMPLE_DIR,
      image: { size: [16, 16], channels: 3 },
      validation: { from: 'val' },
      seed: 1,
      onBadImage: 'fail',
      cacheDir: null,
    });
    expect(countsByClass(ds.val, ds.classes)).toEqual({ NORMAL: 8, PNEUMONIA: 8 });
    expect(ds.train.count).toBe(160);
    expect(ds.val.files.every((f) => f.includes('/val/'))).toBe(true);
    // The 224 copy is RGB with equal channels.
    const x = ds.val.x;
    for (let i = 0; i < x.length; i += 3) expect(Math.abs(x[i] - x[i + 1])).toBeLessThan(0.02);
  });
});

describe('loadDataset with data.validation.group', () => {
  it('carves validation by patient from the sample file names: no patient on both sides', async () => {
    const options = { dir: SAMPLE_DIR, image: { size: [16, 16] as [number, number], channels: 1 as const }, seed: 42, onBadImage: 'fail' as const, cacheDir: null };
    const group = { pattern: '^((?:NORMAL2-)?IM-\\d+|person\\d+)', from: 'name' as const };
    const patient = (f: string): string => /^((?:NORMAL2-)?IM-\d+|person\d+)/.exec(f.split('/').at(-1)!)![1]!;
    const ds = await loadDataset({ ...options, validation: { from: 'train', fraction: 0.2, stratify: true, group } });
    const valPatients = new Set(ds.val.files.map(patient));
    expect(ds.val.count).toBeGreaterThan(0);
    expect(ds.train.files.filter((f) => valPatients.has(patient(f)))).toEqual([]);
    expect(ds.train.count + ds.val.count).toBe(160);
  });
});
