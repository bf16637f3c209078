import { open, readdir, readFile, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachePath } from '../../src/data/cache.js';
import { loadDataset, type Dataset, type LoadOptions } from '../../src/data/dataset.js';
import { tempDir, writeDataset } from './fixtures.js';

let dir: { path: string; cleanup: () => Promise<void> };
let data: string;
let cache: string;
beforeEach(async () => {
  dir = await tempDir();
  data = join(dir.path, 'data');
  cache = join(dir.path, 'cache');
  await writeDataset(data, { train: { a: 6, b: 4 }, test: { a: 2, b: 2 } });
});
afterEach(() => dir.cleanup());

const opts = (over: Partial<LoadOptions> = {}): LoadOptions => ({
  dir: data,
  image: { size: [12, 10], channels: 3 },
  validation: { from: 'train', fraction: 0.5, stratify: true },
  seed: 3,
  onBadImage: 'fail',
  cacheDir: cache,
  ...over,
});

function expectSameData(a: Dataset, b: Dataset): void {
  for (const split of ['train', 'val', 'test'] as const) {
    expect(b[split].count).toBe(a[split].count);
    expect(b[split].files).toEqual(a[split].files);
    expect(Array.from(b[split].y)).toEqual(Array.from(a[split].y));
    expect(Buffer.from(b[split].x.buffer).equals(Buffer.from(a[split].x.buffer))).toBe(true);
  }
  expect(b.fingerprint).toBe(a.fingerprint);
}

async function cacheFiles(): Promise<string[]> {
  return (await readdir(cache)).sort();
}

describe('data cache', () => {
  it('misses first, then hits with identical arrays', async () => {
    const first = await loadDataset(opts());
    expect(first.cache.hit).toBe(false);
    expect(await cacheFiles()).toHaveLength(2); // train and test
    const second = await loadDataset(opts());
    expect(second.cache.hit).toBe(true);
    expectSameData(first, second);
    expect(second.train.count + second.val.count).toBe(10);
  });

  it('misses when an image changes with the same size and mtime, hits when only the mtime changes', async () => {
    const file = join(data, 'train', 'b', 'img001.png');
    const when = new Date('2026-01-02T03:04:05Z'); // whole seconds: utimes keeps them exactly
    await utimes(file, when, when);
    const first = await loadDataset(opts());
    const before = await stat(file);
    // Another image of the same byte size (same generator, same dimensions), then the old times back.
    const other = await readFile(join(data, 'train', 'b', 'img000.png'));
    expect(other.length).toBe(before.size);
    await writeFile(file, other);
    await utimes(file, when, when);
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
    const changed = await loadDataset(opts());
    expect(changed.cache.hit).toBe(false);
    expect(changed.fingerprint).not.toBe(first.fingerprint);
    const row = changed.train.files.concat(changed.val.files).indexOf(file);
    expect(row).toBeGreaterThanOrEqual(0);
    // The decoded pixels are the new image's, not the cached old ones.
    const twin = await loadDataset(opts({ cacheDir: null }));
    expectSameData(twin, changed);
    // A touch without a change of content is still the same data.
    const later = new Date(when.getTime() + 5000);
    await utimes(file, later, later);
    const touched = await loadDataset(opts());
    expect(touched.cache.hit).toBe(true);
    expect(touched.fingerprint).toBe(changed.fingerprint);
    const resized = await loadDataset(opts({ image: { size: [12, 12], channels: 3 } }));
    expect(resized.cache.hit).toBe(false);
    expect(resized.train.x.length).toBe(resized.train.count * 12 * 12 * 3);
  });

  it('rebuilds a truncated cache file instead of trusting it', async () => {
    const first = await loadDataset(opts());
    const [trainFile] = (await cacheFiles()).filter((f) => f.startsWith('train-'));
    const path = join(cache, trainFile);
    const size = (await stat(path)).size;
    await truncate(path, size - 7);
    const rebuilt = await loadDataset(opts());
    expect(rebuilt.cache.hit).toBe(false);
    expectSameData(first, rebuilt);
    expect((await stat(path)).size).toBe(size);
    expect((await loadDataset(opts())).cache.hit).toBe(true);
  });

  it('rebuilds a cache file with a flipped pixel byte (checksum)', async () => {
    const first = await loadDataset(opts());
    const [testFile] = (await cacheFiles()).filter((f) => f.startsWith('test-'));
    const path = join(cache, testFile);
    const fh = await open(path, 'r+');
    const size = (await fh.stat()).size;
    const byte = Buffer.alloc(1);
    await fh.read(byte, 0, 1, size - 10);
    await fh.write(Buffer.from([byte[0] === 0 ? 1 : 0]), 0, 1, size - 10);
    await fh.close();
    const rebuilt = await loadDataset(opts());
    expect(rebuilt.cache.hit).toBe(false);
    expectSameData(first, rebuilt);
  });

  it('ignores a file that is not a cache entry at all', async () => {
    const first = await loadDataset(opts());
    const [trainFile] = (await cacheFiles()).filter((f) => f.startsWith('train-'));
    await writeFile(join(cache, trainFile), 'garbage');
    const again = await loadDataset(opts());
    expect(again.cache.hit).toBe(false);
    expectSameData(first, again);
  });

  it('two concurrent loads into one cache dir leave a valid cache', async () => {
    const [a, b] = await Promise.all([loadDataset(opts()), loadDataset(opts())]);
    expectSameData(a, b);
    expect(await cacheFiles()).toHaveLength(2); // no temp files left behind
    const c = await loadDataset(opts());
    expect(c.cache.hit).toBe(true);
    expectSameData(a, c);
  });

  it('a cache filled while skipping bad images still fails a later fail-mode load', async () => {
    const bad = join(data, 'train', 'a', 'zz-corrupt.jpeg');
    await writeFile(bad, Buffer.alloc(300, 7));
    const skipping = await loadDataset(opts({ onBadImage: 'skip' }));
    expect(skipping.skipped.map((s) => s.file)).toEqual([bad]);
    expect(skipping.skipped[0]?.reason).toContain(bad);
    expect(skipping.train.count + skipping.val.count).toBe(10);
    const cached = await loadDataset(opts({ onBadImage: 'skip' }));
    expect(cached.cache.hit).toBe(true);
    expect(cached.skipped).toEqual(skipping.skipped);
    await expect(loadDataset(opts())).rejects.toThrow(bad);
  });

  it('cacheDir null writes nothing; the cache path is per split and key', async () => {
    const ds = await loadDataset(opts({ cacheDir: null }));
    expect(ds.cache).toMatchObject({ dir: null, hit: false });
    await expect(readdir(cache)).rejects.toThrow();
    expect(cachePath('/c', 'train', 'k')).toBe('/c/train-k.bin');
  });
});
