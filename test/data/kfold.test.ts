/** K-fold assignment: folds partition train, no group on two folds, stratified, seeded. */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { mulberry32 } from '../../src/data/rng.js';
import { assignFolds, foldCarve } from '../../src/data/split.js';

/** Random groups of 1..maxSize images, each group of one class (as a patient's images are). */
function randomGroups(seed: number, count: number, maxSize: number): { labels: number[]; groups: string[] } {
  const random = mulberry32(seed);
  const labels: number[] = [];
  const groups: string[] = [];
  for (let g = 0; g < count; g++) {
    const cls = random() < 0.3 ? 0 : 1;
    for (let k = 1 + Math.floor(random() * maxSize); k > 0; k--) {
      labels.push(cls);
      groups.push(`p${g}`);
    }
  }
  return { labels, groups };
}

describe('assignFolds', () => {
  it('partitions train into K folds with no group on two folds, over random seeds, K and group sizes', () => {
    for (let seed = 0; seed < 40; seed++) {
      const k = 2 + (seed % 5);
      const maxSize = 1 + (seed % 4);
      const { labels, groups } = randomGroups(seed, 30 + seed, maxSize);
      const folds = assignFolds(labels, groups, 2, k, true, seed);
      // Every image in exactly one fold, and each fold's carve is the rest as train.
      expect(folds.every((f) => Number.isInteger(f) && f >= 0 && f < k)).toBe(true);
      const vals = Array.from({ length: k }, (_, f) => foldCarve(folds, f).val);
      expect(vals.flat().sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
      for (let f = 0; f < k; f++) expect(foldCarve(folds, f).train.length + vals[f]!.length).toBe(labels.length);
      const foldOfGroup = new Map<string, number>();
      groups.forEach((g, i) => {
        expect(foldOfGroup.get(g) ?? folds[i]).toBe(folds[i]);
        foldOfGroup.set(g, folds[i]!);
      });
      // Per class, folds hold within one group's size of equal.
      for (const c of [0, 1]) {
        const counts = vals.map((v) => v.filter((i) => labels[i] === c).length);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(maxSize);
      }
    }
  });

  it('without groups, splits each class within one image of equal; the same seed, the same folds', () => {
    const labels = Array.from({ length: 103 }, (_, i) => (i % 3 === 0 ? 0 : 1));
    const folds = assignFolds(labels, undefined, 2, 5, true, 7);
    for (const c of [0, 1]) {
      const counts = [0, 1, 2, 3, 4].map((f) => folds.filter((x, i) => x === f && labels[i] === c).length);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
    expect(assignFolds(labels, undefined, 2, 5, true, 7)).toEqual(folds);
    expect(assignFolds(labels, undefined, 2, 5, true, 8)).not.toEqual(folds);
  });

  it('refuses K below 2 and fewer groups than folds', () => {
    expect(() => assignFolds([0, 1, 0], undefined, 2, 1, true, 0)).toThrow(/k-fold needs a whole number of folds >= 2, got 1/);
    expect(() => assignFolds([0, 1, 0, 1], ['a', 'a', 'b', 'b'], 2, 3, true, 0)).toThrow(DataError);
    expect(() => assignFolds([0, 1, 0, 1], ['a', 'a', 'b', 'b'], 2, 3, true, 0)).toThrow('3-fold cross-validation needs at least 3 groups in train, found 2');
  });
});
