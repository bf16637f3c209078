import { cp, mkdir, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDataset, type LoadOptions } from '../../src/data/dataset.js';
import { loadAndValidate } from '../../src/config/validate.js';
import { ConfigError } from '../../src/config/issues.js';
import { inspectData } from '../../src/inspect/inspect.js';
import { tinyYaml } from '../record/fixtures.js';
import { tempDir, writeDataset, writeImage } from './fixtures.js';

// DVC and git-annex check data out as symbolic links; users build subsets and folds with them.
let dir: { path: string; cleanup: () => Promise<void> };
let real: string;
let linked: string;
beforeEach(async () => {
  dir = await tempDir();
  real = join(dir.path, 'real');
  linked = join(dir.path, 'linked');
  await writeDataset(real, { train: { a: 3, b: 3 }, test: { a: 2, b: 2 } });
});
afterEach(() => dir.cleanup());

const opts = (data: string, over: Partial<LoadOptions> = {}): LoadOptions => ({
  dir: data,
  image: { size: [8, 8], channels: 1 },
  validation: { from: 'train', fraction: 0.34, stratify: true },
  seed: 1,
  onBadImage: 'fail',
  cacheDir: join(dir.path, 'cache'),
  ...over,
});

const pixelsOf = (ds: Awaited<ReturnType<typeof loadDataset>>) => ['train', 'val', 'test'].map((s) => Buffer.from(ds[s as 'train'].x.buffer).toString('base64'));

/** `linked` with every image file a link to the same file in `real`. */
async function linkEveryFile(): Promise<void> {
  for (const split of ['train', 'test']) {
    for (const cls of ['a', 'b']) {
      await mkdir(join(linked, split, cls), { recursive: true });
      for (const name of await readdir(join(real, split, cls))) await symlink(join(real, split, cls, name), join(linked, split, cls, name));
    }
  }
}

describe('data behind symbolic links', () => {
  it('reads linked image files like the files themselves, and caches them by their content', async () => {
    await linkEveryFile();
    const direct = await loadDataset(opts(real, { cacheDir: null }));
    const viaLinks = await loadDataset(opts(linked));
    expect(viaLinks.train.count + viaLinks.val.count + viaLinks.test.count).toBe(10);
    expect(pixelsOf(viaLinks)).toEqual(pixelsOf(direct));
    expect(viaLinks.fingerprint).toBe(direct.fingerprint);
    // A link pointed at another image is a different data set, not a cache hit.
    await rm(join(linked, 'train', 'a', 'img000.png'));
    await symlink(join(real, 'train', 'b', 'img000.png'), join(linked, 'train', 'a', 'img000.png'));
    const repointed = await loadDataset(opts(linked));
    expect(repointed.cache.hit).toBe(false);
    expect(repointed.fingerprint).not.toBe(viaLinks.fingerprint);
  });

  it('reads linked class folders and a linked split folder', async () => {
    await mkdir(join(linked, 'train'), { recursive: true });
    await symlink(join(real, 'train', 'a'), join(linked, 'train', 'a'));
    await symlink(join(real, 'train', 'b'), join(linked, 'train', 'b'));
    await symlink(join(real, 'test'), join(linked, 'test'));
    const ds = await loadDataset(opts(linked));
    expect(ds.classes).toEqual(['a', 'b']);
    expect(ds.train.count + ds.val.count).toBe(6);
    expect(ds.test.count).toBe(4);
  });

  it('reads a linked data directory', async () => {
    await symlink(real, linked);
    const ds = await loadDataset(opts(linked));
    expect(ds.classes).toEqual(['a', 'b']);
    expect(ds.test.files[0]).toBe(join(linked, 'test', 'a', 'img000.png'));
  });

  it('names a dangling link to an image, a class folder or the data directory', async () => {
    await linkEveryFile();
    const gone = join(dir.path, 'gone.png');
    await writeImage(gone, 99);
    await symlink(gone, join(linked, 'train', 'a', 'zz.png'));
    await rm(gone);
    await expect(loadDataset(opts(linked))).rejects.toThrow(`dangling symbolic link ${join(linked, 'train', 'a', 'zz.png')} -> ${gone}`);
    await rm(join(linked, 'train', 'a', 'zz.png'));
    await rename(join(linked, 'train', 'b'), join(dir.path, 'moved'));
    await symlink(join(dir.path, 'nowhere'), join(linked, 'train', 'b'));
    await expect(loadDataset(opts(linked))).rejects.toThrow(`dangling symbolic link ${join(linked, 'train', 'b')}`);
    await expect(inspectData(linked)).rejects.toThrow(`dangling symbolic link ${join(linked, 'train', 'b')}`);
    const data = join(dir.path, 'data-link');
    await symlink(join(dir.path, 'nowhere'), data);
    await expect(loadDataset(opts(data))).rejects.toThrow(`dangling symbolic link ${data}`);
  });

  it('names a loop of links', async () => {
    await cp(real, linked, { recursive: true });
    const [x, y] = [join(linked, 'train', 'a', 'x.png'), join(linked, 'train', 'a', 'y.png')];
    await symlink(y, x);
    await symlink(x, y);
    await expect(loadDataset(opts(linked))).rejects.toThrow(/symbolic link loop at .*\/train\/a\/[xy]\.png/);
    await expect(inspectData(linked)).rejects.toThrow(/symbolic link loop at .*\/train\/a\/[xy]\.png/);
  });

  it('exp data inspect counts linked files and class folders', async () => {
    await linkEveryFile();
    await rm(join(linked, 'test'), { recursive: true });
    await symlink(join(real, 'test'), join(linked, 'test'));
    const r = await inspectData(linked);
    expect(r.splits.map((s) => [s.split, s.counts])).toEqual([
      ['test', { a: 2, b: 2 }],
      ['train', { a: 3, b: 3 }],
    ]);
    expect(r.unreadable).toEqual([]);
  });

  it('exp validate finds linked class folders and names a dangling one', async () => {
    await mkdir(join(linked, 'train'), { recursive: true });
    await symlink(join(real, 'train', 'a'), join(linked, 'train', 'a'));
    await symlink(join(real, 'train', 'b'), join(linked, 'train', 'b'));
    await symlink(join(real, 'test'), join(linked, 'test'));
    const file = join(dir.path, 'exp.yaml');
    const yaml = tinyYaml({ dataDir: linked, validation: '{from: train, fraction: 0.34}' }).replace('data:\n', 'data:\n  classes: [b, a]\n');
    await writeFile(file, yaml);
    expect(loadAndValidate(file).classes).toEqual(['b', 'a']);
    await rm(join(linked, 'train', 'b'));
    await symlink(join(dir.path, 'nowhere'), join(linked, 'train', 'b'));
    let error: unknown;
    try {
      loadAndValidate(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.message)).toContain(`dangling symbolic link ${join(linked, 'train', 'b')} -> ${join(dir.path, 'nowhere')} (its target does not exist)`);
  });
});

describe('folders that are not there', () => {
  it('a split that is a file, and a class folder under it, are named, not crashed on', async () => {
    const d = await tempDir();
    try {
      await writeDataset(d.path, { train: { a: 2, b: 2 } });
      await writeFile(join(d.path, 'test'), 'not a folder');
      const load = loadDataset({ dir: d.path, image: { size: [8, 8], channels: 1 }, validation: { from: 'train', fraction: 0.5, stratify: true }, seed: 1, onBadImage: 'fail', cacheDir: null });
      await expect(load).rejects.toThrow(`split folder 'test' is not a directory: ${join(d.path, 'test')}`);
      await expect(inspectData(d.path)).resolves.toMatchObject({ splits: [{ split: 'train' }] });
    } finally {
      await d.cleanup();
    }
  });
});
