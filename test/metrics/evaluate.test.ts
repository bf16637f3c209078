import { describe, expect, it } from 'vitest';
import { evaluate, flatMetrics, judgeTargets } from '../../src/metrics/index.js';
import { allPneumonia, TEN, THREE } from './fixtures.js';

describe('evaluate, binary', () => {
  const e = evaluate({ ...TEN, threshold: 0.5 });

  it('collects threshold metrics, ranking metrics and curves', () => {
    expect(e.threshold).toBe(0.5);
    expect(e.predictions).toEqual([0, 0, 0, 0, 1, 1, 0, 1, 1, 1]);
    expect(e.confusion).toEqual([[4, 2], [1, 3]]);
    expect(e.accuracy).toBeCloseTo(0.7, 12);
    expect(e.auc).toBeCloseTo(19 / 24, 12);
    expect(e.prAuc).toBeCloseTo(111 / 140, 12);
    expect(e.curves).toHaveLength(1);
    expect(e.curves[0].classIndex).toBe(1);
    expect(e.curves[0].roc.points).toHaveLength(11);
  });

  it('uses the given threshold, 0.5 by default', () => {
    expect(evaluate(TEN).threshold).toBe(0.5);
    expect(evaluate({ ...TEN, threshold: 0.8 }).confusion).toEqual([[6, 0], [2, 2]]);
  });

  it('flattens to the fixed metric names', () => {
    const flat = flatMetrics(e);
    expect(Object.keys(flat).sort()).toEqual([
      'test_accuracy', 'test_auc', 'test_balanced_accuracy', 'test_baseline_accuracy', 'test_brier', 'test_ece',
      'test_f1_NORMAL', 'test_f1_PNEUMONIA', 'test_pr_auc',
      'test_precision_NORMAL', 'test_precision_PNEUMONIA', 'test_recall_NORMAL', 'test_recall_PNEUMONIA',
      'test_specificity_NORMAL', 'test_specificity_PNEUMONIA', 'test_support_NORMAL', 'test_support_PNEUMONIA',
    ]);
    expect(flat.test_recall_NORMAL).toBeCloseTo(4 / 6, 12);
    expect(flat.test_specificity_PNEUMONIA).toBeCloseTo(4 / 6, 12);
    expect(flat.test_support_PNEUMONIA).toBe(4);
    expect(flat.test_baseline_accuracy).toBeCloseTo(0.6, 12);
    // Negatives 0.1..0.7: 0.01+0.04+0.09+0.16+0.36+0.49 = 1.15; positives: 0.65²+0.45²+0.2²+0.1² = 0.675.
    expect(flat.test_brier).toBeCloseTo((1.15 + 0.675) / 10, 12);
    expect(Object.keys(flatMetrics(e, 'val_'))).toContain('val_f1_NORMAL');
  });

  it('rejects a bad threshold, duplicate classes and mismatched inputs', () => {
    expect(() => evaluate({ ...TEN, threshold: 1.5 })).toThrow('threshold must be in [0, 1]');
    expect(() => evaluate({ ...TEN, classes: ['A', 'A'] })).toThrow('class names must be distinct');
    expect(() => evaluate({ ...TEN, labels: [0, 1] })).toThrow('got 10 probabilities for 2 labels');
    expect(() => evaluate({ ...TEN, labels: TEN.labels.map((l) => l + 1) })).toThrow('label 2 at sample 6');
  });
});

describe('evaluate, 3 classes', () => {
  const e = evaluate(THREE);

  it('predicts by argmax and reports macro one-vs-rest AUC', () => {
    expect(e.threshold).toBeNull();
    expect(e.predictions).toEqual([0, 1, 1, 0, 2, 2]);
    expect(e.confusion).toEqual([[1, 1, 0], [1, 1, 0], [0, 0, 2]]);
    expect(e.accuracy).toBeCloseTo(4 / 6, 12);
    expect(e.auc).toBeCloseTo(0.875, 12);
    expect(e.curves.map((c) => c.classIndex)).toEqual([0, 1, 2]);
    expect(Object.keys(flatMetrics(e))).toContain('test_recall_c');
  });
});

describe('chest X-ray sanity: PNEUMONIA for all 624 test images', () => {
  const e = evaluate(allPneumonia());
  const flat = flatMetrics(e);

  it('scores the majority baseline and nothing more', () => {
    expect(flat.test_accuracy).toBe(0.625);
    expect(flat.test_baseline_accuracy).toBe(0.625);
    expect(flat.test_recall_NORMAL).toBe(0);
    expect(flat.test_recall_PNEUMONIA).toBe(1);
    expect(flat.test_precision_NORMAL).toBe(0);
    expect(flat.test_specificity_PNEUMONIA).toBe(0);
    expect(flat.test_balanced_accuracy).toBe(0.5);
    expect(flat.test_auc).toBe(0.5); // all scores tied
    expect(flat.test_pr_auc).toBe(0.625); // one step at the positive rate
  });

  it('fails accuracy >= 0.85 and recall >= 0.65, naming NORMAL', () => {
    const v = judgeTargets({ accuracy: '>= 0.85', recall: '>= 0.65' }, flat, e.classes);
    expect(v.pass).toBe(false);
    expect(v.results[0]).toMatchObject({ name: 'accuracy', value: 0.625, pass: false });
    expect(v.results[0].margin).toBeCloseTo(-0.225, 12);
    expect(v.results[1]).toMatchObject({ name: 'recall', className: 'NORMAL', value: 0, pass: false });
    expect(v.results[1].margin).toBeCloseTo(-0.65, 12);
  });
});
