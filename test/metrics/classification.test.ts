import { describe, expect, it } from 'vitest';
import { classificationMetrics, metricsFromConfusion } from '../../src/metrics/index.js';

describe('classificationMetrics, binary (10 samples, confusion [[4, 2], [1, 3]])', () => {
  const labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
  const predictions = [0, 0, 0, 0, 1, 1, 0, 1, 1, 1];
  const m = classificationMetrics(labels, predictions, 2);

  it('computes accuracy, balanced accuracy and the majority baseline', () => {
    expect(m.n).toBe(10);
    expect(m.confusion).toEqual([[4, 2], [1, 3]]);
    expect(m.accuracy).toBeCloseTo(0.7, 12);
    expect(m.balancedAccuracy).toBeCloseTo(17 / 24, 12); // (4/6 + 3/4) / 2
    expect(m.baselineAccuracy).toBeCloseTo(0.6, 12); // always class 0: 6 of 10
  });

  it('computes per-class precision, recall, F1, specificity, support', () => {
    const [c0, c1] = m.perClass;
    expect(c0.precision).toBeCloseTo(4 / 5, 12);
    expect(c0.recall).toBeCloseTo(4 / 6, 12);
    expect(c0.f1).toBeCloseTo(8 / 11, 12); // 2tp / (2tp + fp + fn) = 8 / (8 + 1 + 2)
    expect(c0.specificity).toBeCloseTo(3 / 4, 12);
    expect(c0.support).toBe(6);
    expect(c1.precision).toBeCloseTo(3 / 5, 12);
    expect(c1.recall).toBeCloseTo(3 / 4, 12);
    expect(c1.f1).toBeCloseTo(2 / 3, 12);
    expect(c1.specificity).toBeCloseTo(4 / 6, 12);
    expect(c1.support).toBe(4);
  });

  it('computes macro and weighted averages', () => {
    expect(m.macro.precision).toBeCloseTo(0.7, 12);
    expect(m.macro.recall).toBeCloseTo(17 / 24, 12);
    expect(m.macro.f1).toBeCloseTo(23 / 33, 12); // (8/11 + 2/3) / 2
    expect(m.macro.specificity).toBeCloseTo(17 / 24, 12);
    expect(m.weighted.precision).toBeCloseTo(0.72, 12); // (6 * 0.8 + 4 * 0.6) / 10
    expect(m.weighted.recall).toBeCloseTo(0.7, 12); // always equals accuracy
    expect(m.weighted.f1).toBeCloseTo(232 / 330, 12); // (6 * 8/11 + 4 * 2/3) / 10
  });
});

describe('classificationMetrics, 3 classes', () => {
  // confusion [[2, 1, 0], [0, 2, 1], [1, 0, 3]]
  const m = classificationMetrics([0, 0, 0, 1, 1, 1, 2, 2, 2, 2], [0, 0, 1, 1, 1, 2, 2, 2, 2, 0], 3);

  it('computes one-vs-rest per-class metrics', () => {
    expect(m.perClass.map((c) => c.precision)).toEqual([2 / 3, 2 / 3, 3 / 4].map((x) => expect.closeTo(x, 12)));
    expect(m.perClass.map((c) => c.recall)).toEqual([2 / 3, 2 / 3, 3 / 4].map((x) => expect.closeTo(x, 12)));
    expect(m.perClass.map((c) => c.f1)).toEqual([2 / 3, 2 / 3, 3 / 4].map((x) => expect.closeTo(x, 12)));
    expect(m.perClass.map((c) => c.specificity)).toEqual([6 / 7, 6 / 7, 5 / 6].map((x) => expect.closeTo(x, 12)));
    expect(m.perClass.map((c) => c.support)).toEqual([3, 3, 4]);
  });

  it('computes the summary numbers', () => {
    expect(m.accuracy).toBeCloseTo(0.7, 12);
    expect(m.balancedAccuracy).toBeCloseTo(25 / 36, 12);
    expect(m.macro.precision).toBeCloseTo(25 / 36, 12);
    expect(m.weighted.precision).toBeCloseTo(0.7, 12); // (3 * 2/3 + 3 * 2/3 + 4 * 3/4) / 10
    expect(m.baselineAccuracy).toBeCloseTo(0.4, 12);
  });
});

describe('zero divisions', () => {
  it('gives 0 precision and F1 to a never-predicted class', () => {
    const m = metricsFromConfusion([[0, 234], [0, 390]]);
    expect(m.perClass[0].precision).toBe(0);
    expect(m.perClass[0].recall).toBe(0);
    expect(m.perClass[0].f1).toBe(0);
    expect(m.perClass[0].specificity).toBe(1);
    expect(m.perClass[1].specificity).toBe(0);
  });

  it('gives 0 specificity to a class when the set holds no other class', () => {
    const m = metricsFromConfusion([[5, 0], [0, 0]]);
    expect(m.perClass[0].specificity).toBe(0);
    expect(m.accuracy).toBe(1);
  });

  it('gives 0 recall to a class absent from the labels and leaves it out of balanced accuracy', () => {
    const m = metricsFromConfusion([[3, 1, 0], [0, 0, 0], [0, 0, 2]]);
    expect(m.perClass[1].recall).toBe(0);
    expect(m.perClass[1].support).toBe(0);
    expect(m.balancedAccuracy).toBeCloseTo((3 / 4 + 1) / 2, 12);
    expect(m.macro.recall).toBeCloseTo((3 / 4 + 0 + 1) / 3, 12);
  });

  it('refuses an empty set', () => {
    expect(() => metricsFromConfusion([[0, 0], [0, 0]])).toThrow('empty set');
  });
});
