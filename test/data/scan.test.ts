import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDataset, type LoadOptions } from '../../src/data/dataset.js';
import { resolveClasses, scanSplit } from '../../src/data/labels.js';
import { tempDir, writeDataset, writeImage } from './fixtures.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(() => dir.cleanup());

const opts = (over: Partial<LoadOptions> = {}): LoadOptions => ({
  dir: dir.path,
  image: { size: [8, 8], channels: 1 },
  validation: { from: 'val' },
  seed: 1,
  onBadImage: 'fail',
  cacheDir: null,
  ...over,
});

describe('scanning a data directory', () => {
  it('lists sorted classes, case-insensitive extensions and content hashes', async () => {
    await writeDataset(dir.path, { train: { b: 1, a: 2 } });
    await writeImage(join(dir.path, 'train', 'a', 'UPPER.JPEG'), 9, { format: 'jpeg' });
    await writeFile(join(dir.path, 'train', 'a', 'notes.txt'), 'not an image');
    const classes = await resolveClasses(dir.path, { from: 'folder' });
    expect(classes).toEqual(['a', 'b']);
    const scanned = await scanSplit(dir.path, 'train', classes, { from: 'folder' });
    expect(scanned.files.map((f) => f.rel)).toEqual(['train/a/UPPER.JPEG', 'train/a/img000.png', 'train/a/img001.png', 'train/b/img000.png']);
    expect(scanned.labels).toEqual([0, 0, 0, 1]);
    for (const f of scanned.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('explicit classes set the label order', async () => {
    await writeDataset(dir.path, { train: { NORMAL: 1, PNEUMONIA: 1 }, val: { NORMAL: 1, PNEUMONIA: 1 }, test: { NORMAL: 1, PNEUMONIA: 1 } });
    const ds = await loadDataset(opts({ classes: ['PNEUMONIA', 'NORMAL'] }));
    expect(ds.classes).toEqual(['PNEUMONIA', 'NORMAL']);
    expect(ds.train.files.map((f, i) => `${f.split('/').slice(-2).join('/')}=${ds.train.y[i]}`)).toEqual(['PNEUMONIA/img000.png=0', 'NORMAL/img000.png=1']);
  });

  it('missing data directory names the path', async () => {
    const missing = join(dir.path, 'nowhere');
    await expect(loadDataset(opts({ dir: missing }))).rejects.toThrow(`data directory not found: ${missing}`);
  });

  it('missing test split is an error that says why', async () => {
    await writeDataset(dir.path, { train: { a: 1, b: 1 }, val: { a: 1, b: 1 } });
    await expect(loadDataset(opts())).rejects.toThrow(new RegExp(`${join(dir.path, 'test')}.*always evaluates on the test split`));
  });

  it('missing val split is an error only when validation comes from val', async () => {
    await writeDataset(dir.path, { train: { a: 4, b: 4 }, test: { a: 1, b: 1 } });
    await expect(loadDataset(opts())).rejects.toThrow(join(dir.path, 'val'));
    const ds = await loadDataset(opts({ validation: { from: 'train', fraction: 0.25, stratify: true } }));
    expect(ds.val.count).toBe(2);
  });

  it('missing folder for a requested class names the path', async () => {
    await writeDataset(dir.path, { train: { a: 1, b: 1 }, val: { a: 1 }, test: { a: 1, b: 1 } });
    await expect(loadDataset(opts())).rejects.toThrow(join(dir.path, 'val', 'b'));
    await expect(loadDataset(opts({ classes: ['a', 'c'] }))).rejects.toThrow(join(dir.path, 'train', 'c'));
  });

  it('empty class folder names the path', async () => {
    await writeDataset(dir.path, { train: { a: 1, b: 1 }, val: { a: 1, b: 1 }, test: { a: 1, b: 1 } });
    await mkdir(join(dir.path, 'train', 'empty'));
    await expect(loadDataset(opts())).rejects.toThrow(`class folder has no .jpeg/.jpg/.png images: ${join(dir.path, 'train', 'empty')}`);
  });

  it('fewer than two classes is an error', async () => {
    await writeDataset(dir.path, { train: { a: 1 }, val: { a: 1 }, test: { a: 1 } });
    await expect(loadDataset(opts())).rejects.toThrow(/at least 2 classes/);
  });
});

describe('labels from file names', () => {
  const spec = { from: 'filename' as const, classes: { BACTERIA: '_bacteria_', VIRUS: '_virus_', NORMAL: 'NORMAL/' } };
  async function write(names: Record<string, string[]>): Promise<void> {
    let seed = 1;
    for (const [folder, files] of Object.entries(names)) for (const f of files) await writeImage(join(dir.path, folder, f), seed++);
  }

  it('labels three classes from two folders', async () => {
    await write({
      'train/NORMAL': ['IM-1.jpeg', 'NORMAL2-IM-2.jpeg'],
      'train/PNEUMONIA': ['person1_bacteria_1.jpeg', 'person2_virus_2.jpeg', 'person3_bacteria_3.jpeg'],
      'test/NORMAL': ['IM-9.jpeg'],
      'test/PNEUMONIA': ['person9_virus_9.jpeg'],
    });
    const ds = await loadDataset(opts({ labels: spec, validation: { from: 'train', fraction: 0.2, stratify: false } }));
    expect(ds.classes).toEqual(['BACTERIA', 'NORMAL', 'VIRUS']);
    const byFile = new Map([...ds.train.files, ...ds.val.files].map((f, i) => [f.split('/').pop(), [...ds.train.y, ...ds.val.y][i]]));
    expect(byFile).toEqual(new Map([['IM-1.jpeg', 1], ['NORMAL2-IM-2.jpeg', 1], ['person1_bacteria_1.jpeg', 0], ['person2_virus_2.jpeg', 2], ['person3_bacteria_3.jpeg', 0]]));
    expect(Array.from(ds.test.y)).toEqual([1, 2]);
  });

  it('a file matching no pattern is an error naming it', async () => {
    await write({ 'train/NORMAL': ['IM-1.jpeg'], 'train/PNEUMONIA': ['person1_bacteria_1.jpeg', 'person2_fungus_2.jpeg', 'person3_virus_3.jpeg'], 'test/NORMAL': ['IM-2.jpeg'] });
    await expect(loadDataset(opts({ labels: spec, validation: { from: 'train', fraction: 0.2, stratify: false } }))).rejects.toThrow(
      `${join(dir.path, 'train', 'PNEUMONIA', 'person2_fungus_2.jpeg')} matches no filename label pattern`,
    );
  });

  it('explicit classes must be the pattern names', async () => {
    await expect(resolveClasses(dir.path, spec, ['NORMAL', 'VIRUS'])).rejects.toThrow(/exactly the filename label classes/);
    expect(await resolveClasses(dir.path, spec, ['NORMAL', 'VIRUS', 'BACTERIA'])).toEqual(['NORMAL', 'VIRUS', 'BACTERIA']);
  });
});
