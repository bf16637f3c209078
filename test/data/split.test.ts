import { describe, expect, it } from 'vitest';
import { classCounts, countsByClass } from '../../src/data/counts.js';
import { mulberry32, shuffleInPlace } from '../../src/data/rng.js';
import { carveValidation } from '../../src/data/split.js';

// 100 of class 0, 37 of class 1, 13 of class 2, interleaved.
const labels = Array.from({ length: 150 }, (_, i) => (i < 100 ? 0 : i < 137 ? 1 : 2)).reverse();

describe('mulberry32', () => {
  it('is deterministic per seed, in [0, 1), and seed-sensitive', () => {
    const a = Array.from({ length: 5 }, mulberry32(42));
    expect(Array.from({ length: 5 }, mulberry32(42))).toEqual(a);
    expect(Array.from({ length: 5 }, mulberry32(43))).not.toEqual(a);
    const many = Array.from({ length: 10000 }, mulberry32(1));
    expect(many.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(many.reduce((s, v) => s + v, 0) / many.length).toBeCloseTo(0.5, 1);
  });

  it('shuffleInPlace permutes', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const shuffled = shuffleInPlace([...items], mulberry32(3));
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
  });
});

describe('carveValidation', () => {
  it('stratified: per-class counts are round(fraction * n_class)', () => {
    const carve = carveValidation(labels, 3, 0.2, true, 7);
    const val = carve.val.map((i) => labels[i]);
    expect(classCounts(val, 3)).toEqual([20, 7, 3]); // 20, round(7.4), round(2.6)
    expect(carve.train.length + carve.val.length).toBe(150);
    expect(new Set([...carve.train, ...carve.val]).size).toBe(150);
    expect(carve.val).toEqual([...carve.val].sort((a, b) => a - b));
  });

  it('is deterministic for a seed and different for another', () => {
    const a = carveValidation(labels, 3, 0.2, true, 7);
    expect(carveValidation(labels, 3, 0.2, true, 7)).toEqual(a);
    const b = carveValidation(labels, 3, 0.2, true, 8);
    expect(b.val).not.toEqual(a.val);
    expect(classCounts(b.val.map((i) => labels[i]), 3)).toEqual([20, 7, 3]);
  });

  it('unstratified: round(fraction * n) images in all', () => {
    const carve = carveValidation(labels, 3, 0.15, false, 1);
    expect(carve.val.length).toBe(23); // round(22.5)
    expect(carveValidation(labels, 3, 0.15, false, 1)).toEqual(carve);
  });

  it('rejects a fraction outside (0, 1) and an empty result', () => {
    expect(() => carveValidation(labels, 3, 0, true, 1)).toThrow(/between 0 and 1/);
    expect(() => carveValidation(labels, 3, 1, true, 1)).toThrow(/between 0 and 1/);
    expect(() => carveValidation([0, 1], 2, 0.1, true, 1)).toThrow(/empty validation/);
  });
});

describe('class counts', () => {
  it('counts by index and by name', () => {
    expect(classCounts(Int32Array.from([1, 1, 0, 1]), 2)).toEqual([1, 3]);
    expect(countsByClass({ y: Int32Array.from([1, 1, 0, 1]) }, ['NORMAL', 'PNEUMONIA'])).toEqual({ NORMAL: 1, PNEUMONIA: 3 });
    expect(() => classCounts([2], 2)).toThrow(RangeError);
  });
});
