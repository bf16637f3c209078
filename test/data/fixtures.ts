import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { mulberry32 } from '../../src/data/rng.js';

/** The real sample kept in the repo (224x224 JPEGs) and the full-size originals. */
export const SAMPLE_DIR = new URL('../../data/sample/', import.meta.url).pathname;
export const ORIGINALS_DIR = new URL('../../data/originals/', import.meta.url).pathname;

export async function tempDir(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'exp-data-test-'));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A small noisy image, different per seed, as PNG (channels 1, 3 or 4) or JPEG. */
export async function writeImage(path: string, seed: number, opts: { size?: [number, number]; channels?: 1 | 3 | 4; format?: 'png' | 'jpeg' } = {}): Promise<void> {
  const [height, width] = opts.size ?? [20, 24];
  const channels = opts.channels ?? 3;
  const rng = mulberry32(seed);
  const raw = Buffer.from(Array.from({ length: width * height * channels }, () => Math.floor(rng() * 256)));
  const img = sharp(raw, { raw: { width, height, channels } });
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, opts.format === 'jpeg' ? await img.jpeg().toBuffer() : await img.png().toBuffer());
}

/** Writes `<root>/<split>/<CLASS>/img<i>.png` with `counts[split][CLASS]` images each. */
export async function writeDataset(root: string, counts: Record<string, Record<string, number>>): Promise<void> {
  let seed = 1;
  for (const [split, classes] of Object.entries(counts)) {
    for (const [cls, n] of Object.entries(classes)) {
      await mkdir(join(root, split, cls), { recursive: true });
      for (let i = 0; i < n; i++) await writeImage(join(root, split, cls, `img${String(i).padStart(3, '0')}.png`), seed++);
    }
  }
}
