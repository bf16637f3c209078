import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/data/rng.js';
import type { Augment } from '../../src/registry/augmentations/index.js';
import { epochBatches } from '../../src/train/batches.js';

const SHAPE: [number, number, number] = [2, 3, 1];
const SIZE = 6;
/** Image i is filled with the value i (so a batch row tells which image it holds). */
const images = (count: number): Float32Array => Float32Array.from({ length: count * SIZE }, (_, k) => Math.floor(k / SIZE));

describe('epochBatches', () => {
  it('yields every image exactly once, in batches of batchSize and a last partial one', () => {
    const x = images(10);
    const batches = [...epochBatches(x, 10, SHAPE, 4, mulberry32(1), [])];
    expect(batches.map((b) => b.indices.length)).toEqual([4, 4, 2]);
    expect(batches.flatMap((b) => b.indices).sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    for (const b of batches) {
      expect(b.x.length).toBe(b.indices.length * SIZE);
      b.indices.forEach((src, j) => expect(Array.from(b.x.subarray(j * SIZE, (j + 1) * SIZE))).toEqual(Array(SIZE).fill(src)));
    }
  });

  it('shuffles by the seed: same seed same order, another seed another order', () => {
    const x = images(20);
    const order = (seed: number) => [...epochBatches(x, 20, SHAPE, 8, mulberry32(seed), [])].flatMap((b) => b.indices);
    expect(order(5)).toEqual(order(5));
    expect(order(5)).not.toEqual(order(6));
    expect(order(5)).not.toEqual([...Array(20).keys()]);
  });

  it('successive epochs from one generator get different orders', () => {
    const x = images(20);
    const random = mulberry32(3);
    const first = [...epochBatches(x, 20, SHAPE, 8, random, [])].flatMap((b) => b.indices);
    const second = [...epochBatches(x, 20, SHAPE, 8, random, [])].flatMap((b) => b.indices);
    expect(second).not.toEqual(first);
  });

  it('augments the batch copies, never the data set', () => {
    const x = images(6);
    const before = x.slice();
    const seen: number[] = [];
    const negate: Augment = (image, random) => {
      expect(image.height * image.width * image.channels).toBe(SIZE);
      seen.push(image.data[0]!);
      const r = random();
      for (let i = 0; i < image.data.length; i++) image.data[i] = -image.data[i]! - r;
    };
    const batches = [...epochBatches(x, 6, SHAPE, 4, mulberry32(2), [negate])];
    expect(Array.from(x)).toEqual(Array.from(before));
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const b of batches) {
      b.indices.forEach((src, j) => {
        const row = b.x.subarray(j * SIZE, (j + 1) * SIZE);
        expect(row[0]!).toBeLessThan(-src);
        expect(row[0]!).toBeGreaterThanOrEqual(-src - 1);
      });
    }
  });

  it('applies augmentations in order, with seeded random draws', () => {
    const x = images(5);
    const add: Augment = (image, random) => {
      const r = random();
      for (let i = 0; i < image.data.length; i++) image.data[i]! += r;
    };
    const double: Augment = (image) => {
      for (let i = 0; i < image.data.length; i++) image.data[i]! *= 2;
    };
    const run = (seed: number, augments: Augment[]) => [...epochBatches(x, 5, SHAPE, 2, mulberry32(seed), augments)].map((b) => Array.from(b.x));
    expect(run(9, [add, double])).toEqual(run(9, [add, double]));
    expect(run(9, [add, double])).not.toEqual(run(10, [add, double]));
    // (v + r) * 2 is not v * 2 + r
    expect(run(9, [add, double])).not.toEqual(run(9, [double, add]));
  });
});
