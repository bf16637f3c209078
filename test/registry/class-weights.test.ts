import { describe, expect, it } from 'vitest';
import { classWeights } from '../../src/registry/class-weights/index.js';
import { resolveClassWeights } from '../../src/runner/class-weights.js';

const weights = (name: string, counts: number[]): number[] => classWeights.get(name).create({}, { classes: counts.map((_, i) => `c${i}`), counts });

describe('class-weight strategies', () => {
  it('balanced is n_samples / (n_classes * n_class), as scikit-learn computes it', () => {
    // sklearn.utils.class_weight.compute_class_weight('balanced', ...) for counts 10/30: [2, 0.6667]
    const w = weights('balanced', [10, 30]);
    expect(w[0]).toBeCloseTo(2, 12);
    expect(w[1]).toBeCloseTo(40 / 60, 12);
    // three classes, 1341/3875/200 images
    const w3 = weights('balanced', [1341, 3875, 200]);
    const total = 1341 + 3875 + 200;
    expect(w3).toEqual([total / (3 * 1341), total / (3 * 3875), total / (3 * 200)]);
  });

  it('balanced weighs every class equally in total: sum of weight x count is n_samples', () => {
    const counts = [7, 19, 3, 50];
    const w = weights('balanced', counts);
    for (let i = 0; i < counts.length; i++) expect(w[i]! * counts[i]!).toBeCloseTo(79 / 4, 10);
    expect(weights('balanced', [25, 25])).toEqual([1, 1]);
  });

  it('sqrt_balanced is the square root of balanced, none is all ones', () => {
    expect(weights('sqrt_balanced', [10, 30]).map((v) => +v.toFixed(10))).toEqual([Math.sqrt(2), Math.sqrt(2 / 3)].map((v) => +v.toFixed(10)));
    expect(weights('none', [10, 30, 5])).toEqual([1, 1, 1]);
  });

  it('resolveClassWeights takes a strategy name or an explicit map in class order', () => {
    expect(resolveClassWeights('balanced', ['A', 'B'], [10, 30])[0]).toBeCloseTo(2, 12);
    expect(resolveClassWeights({ B: 3, A: 0.5 }, ['A', 'B'], [10, 30])).toEqual([0.5, 3]);
  });
});
