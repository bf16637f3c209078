/** Grouped validation splits: no group on both sides, stratified at group level, seeded. */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/data/rng.js';
import { groupKeys } from '../../src/data/groups.js';
import { carveGroupedValidation, carveValidation } from '../../src/data/split.js';

/** Random groups of 1..maxSize images, each group of one class (as a patient's images are). */
function randomGroups(seed: number, count: number, maxSize: number): { labels: number[]; groups: string[] } {
  const random = mulberry32(seed);
  const labels: number[] = [];
  const groups: string[] = [];
  for (let g = 0; g < count; g++) {
    const cls = random() < 0.3 ? 0 : 1;
    const size = 1 + Math.floor(random() * maxSize);
    for (let k = 0; k < size; k++) {
      labels.push(cls);
      groups.push(`p${g}`);
    }
  }
  return { labels, groups };
}

describe('carveGroupedValidation', () => {
  it('never puts a group on both sides, over random seeds and group sizes; class counts stay near the target', () => {
    for (let seed = 0; seed < 60; seed++) {
      const maxSize = 1 + (seed % 6);
      const { labels, groups } = randomGroups(seed, 40 + seed, maxSize);
      const carve = carveGroupedValidation(labels, groups, 2, 0.2, true, seed);
      const valGroups = new Set(carve.val.map((i) => groups[i]));
      for (const i of carve.train) expect(valGroups.has(groups[i]!)).toBe(false);
      expect([...carve.train, ...carve.val].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
      for (const c of [0, 1]) {
        const target = Math.round(0.2 * labels.filter((l) => l === c).length);
        const got = carve.val.filter((i) => labels[i] === c).length;
        expect(Math.abs(got - target)).toBeLessThanOrEqual(maxSize);
      }
    }
  });

  it('with groups of one image, is stratified within one image of exact', () => {
    for (let seed = 0; seed < 30; seed++) {
      const { labels, groups } = randomGroups(seed, 50 + seed, 1);
      const carve = carveGroupedValidation(labels, groups, 2, 0.15, true, seed);
      for (const c of [0, 1]) {
        const exact = 0.15 * labels.filter((l) => l === c).length;
        expect(Math.abs(carve.val.filter((i) => labels[i] === c).length - exact)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('is seeded: the same seed gives the same split, another seed another', () => {
    const { labels, groups } = randomGroups(7, 80, 4);
    const a = carveGroupedValidation(labels, groups, 2, 0.2, true, 1);
    expect(carveGroupedValidation(labels, groups, 2, 0.2, true, 1)).toEqual(a);
    expect(carveGroupedValidation(labels, groups, 2, 0.2, true, 2)).not.toEqual(a);
    // The ungrouped split of the same labels mixes groups (what grouping is for).
    const plain = carveValidation(labels, 2, 0.2, true, 1);
    const valGroups = new Set(plain.val.map((i) => groups[i]));
    expect(plain.train.some((i) => valGroups.has(groups[i]!))).toBe(true);
  });
});

describe('groupKeys', () => {
  // The chest X-ray files: patient ids as the file names carry them.
  const pattern = '^((?:NORMAL2-)?IM-\\d+|person\\d+)';
  it('reads the patient of the chest X-ray file names', () => {
    expect(groupKeys(['/d/train/PNEUMONIA/person1017_bacteria_2948.jpeg', '/d/train/NORMAL/IM-0115-0001.jpeg', '/d/train/NORMAL/NORMAL2-IM-1427-0001.jpeg'], { pattern, from: 'name' }, '/d'))
      .toEqual(['person1017', 'IM-0115', 'NORMAL2-IM-1427']);
    expect(groupKeys(['/d/train/A/x.png'], { pattern: '^train/(\\w+)/', from: 'path' }, '/d')).toEqual(['A']);
  });
  it('names the file a pattern gives no group for, and a bad regex', () => {
    expect(() => groupKeys(['/d/train/A/odd.png'], { pattern, from: 'name' }, '/d')).toThrow(/gives no group \(first capture group\) for odd\.png/);
    expect(() => groupKeys(['/d/a.png'], { pattern: '(', from: 'name' }, '/d')).toThrow(/invalid regex/);
  });
});
