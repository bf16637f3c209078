import { describe, expect, it } from 'vitest';
import { argmax, normalizeProbabilities, predictBinary, predictLabels } from '../../src/metrics/index.js';
import { THREE } from './fixtures.js';

describe('predictBinary', () => {
  it('predicts the positive class when p >= threshold (inclusive)', () => {
    expect(Array.from(predictBinary([0.2, 0.5, 0.49, 0.8], 0.5))).toEqual([0, 1, 0, 1]);
    expect(Array.from(predictBinary([0.2, 0.5, 0.49, 0.8], 0.2))).toEqual([1, 1, 1, 1]);
  });
});

describe('argmax', () => {
  it('takes the largest entry, the lowest index on a tie', () => {
    expect(argmax([0.1, 0.7, 0.2])).toBe(1);
    expect(argmax([0.4, 0.4, 0.2])).toBe(0);
    expect(argmax([0.2, 0.4, 0.4])).toBe(1);
  });
});

describe('predictLabels', () => {
  it('binary: applies the threshold to the second class, also for softmax rows of 2', () => {
    expect(Array.from(predictLabels(normalizeProbabilities([0.3, 0.6], 2, 2), 0.5))).toEqual([0, 1]);
    const rows = normalizeProbabilities([[0.7, 0.3], [0.4, 0.6]], 2, 2);
    expect(rows.kind).toBe('binary');
    expect(Array.from(predictLabels(rows, 0.65))).toEqual([0, 0]);
  });

  it('K classes: argmax, threshold ignored', () => {
    const probs = normalizeProbabilities(THREE.probabilities, 6, 3);
    expect(Array.from(predictLabels(probs, 0.99))).toEqual([0, 1, 1, 0, 2, 2]);
  });
});

describe('normalizeProbabilities', () => {
  it('rejects values outside [0, 1], NaN and shape mismatches', () => {
    expect(() => normalizeProbabilities([0.5, 1.7], 2, 2)).toThrow('probability 1.7 at sample 1 is not in [0, 1]');
    expect(() => normalizeProbabilities([0.5, NaN], 2, 2)).toThrow('probability NaN at sample 1');
    expect(() => normalizeProbabilities([0.5], 2, 2)).toThrow('got 1 probabilities for 2 labels');
    expect(() => normalizeProbabilities([0.5, 0.5], 2, 3)).toThrow('one probability per sample only works for 2 classes');
    expect(() => normalizeProbabilities([[0.5, 0.5]], 1, 3)).toThrow('has 2 entries, expected 3');
    expect(() => normalizeProbabilities([[0.5, -0.1, 0.6]], 1, 3)).toThrow('at sample 0, class 1');
  });
});
