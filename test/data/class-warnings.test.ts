import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDataset, type LoadOptions } from '../../src/data/dataset.js';
import { tempDir, writeDataset } from './fixtures.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => (dir = await tempDir()));
afterEach(() => dir.cleanup());

const opts = (over: Partial<LoadOptions> = {}): LoadOptions => ({
  dir: dir.path,
  image: { size: [8, 8], channels: 1 },
  validation: { from: 'train', fraction: 0.1, stratify: true },
  seed: 1,
  onBadImage: 'fail',
  cacheDir: null,
  ...over,
});

describe('class counts the run warns about', () => {
  it('a class with one training image has none in a 10% validation set: warned, with the counts', async () => {
    await writeDataset(dir.path, { train: { a: 20, b: 1 }, test: { a: 2, b: 2 } });
    const ds = await loadDataset(opts());
    expect(ds.warnings).toEqual(["class 'b' has no validation image (train 1, validation 0, test 2): its metrics there are undefined"]);
  });

  it('a class folder only in test is left out: warned, with its count', async () => {
    await writeDataset(dir.path, { train: { a: 10, b: 10 }, test: { a: 2, b: 2, c: 3 } });
    const ds = await loadDataset(opts());
    expect(ds.classes).toEqual(['a', 'b']);
    expect(ds.warnings).toEqual(['test/c (3 images) is not one of the classes (a, b): ignored']);
  });

  it('says nothing when every split holds every class', async () => {
    await writeDataset(dir.path, { train: { a: 10, b: 10 }, test: { a: 2, b: 2 } });
    expect((await loadDataset(opts())).warnings).toEqual([]);
  });
});
