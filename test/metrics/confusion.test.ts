import { describe, expect, it } from 'vitest';
import { confusionMatrix } from '../../src/metrics/index.js';

describe('confusionMatrix', () => {
  it('counts rows by true class and columns by predicted class', () => {
    const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2];
    const predictions = [0, 0, 1, 1, 1, 2, 2, 2, 2, 0];
    expect(confusionMatrix(labels, predictions, 3)).toEqual([
      [2, 1, 0],
      [0, 2, 1],
      [1, 0, 3],
    ]);
  });

  it('accepts typed arrays and keeps classes that never occur', () => {
    expect(confusionMatrix(Int32Array.from([1, 1]), Int32Array.from([1, 0]), 3)).toEqual([
      [0, 0, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
  });

  it('rejects mismatched lengths and out-of-range or fractional indices', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow('got 1 predictions for 2 labels');
    expect(() => confusionMatrix([0, 2], [0, 1], 2)).toThrow('label 2 at sample 1 is not a class index in [0, 2)');
    expect(() => confusionMatrix([0, 1], [0, 0.5], 2)).toThrow('prediction 0.5 at sample 1');
  });
});
