import { describe, expect, it } from 'vitest';
import { chooseThreshold } from '../../src/metrics/index.js';
import { TEN } from './fixtures.js';

/*
 * Splits of the 10-sample case (positive iff p >= t), by the lowest score
 * called positive, with tp/fp and [NORMAL, PNEUMONIA] recall:
 *   none  0/0 acc .6 recall [1, 0]      0.55  3/2 acc .7 recall [4/6, .75]
 *   0.9   1/0 acc .7 recall [1, .25]    0.4   3/3 acc .6 recall [.5, .75]
 *   0.8   2/0 acc .8 recall [1, .5]     0.35  4/3 acc .7 recall [.5, 1]
 *   0.7   2/1 acc .7 recall [5/6, .5]   0.3   4/4 acc .6 recall [2/6, 1]
 *   0.6   2/2 acc .6 recall [4/6, .5]   0.2, 0.1: acc .5, .4
 * Each split is given by its score and by the midpoint just below it
 * (0.8 by 0.8 and 0.75, 0.55 by 0.55 and 0.475), except none (0.95).
 */
const choose = (spec: Parameters<typeof chooseThreshold>[2]) =>
  chooseThreshold(TEN.probabilities, TEN.labels, spec, TEN.classes);

describe('chooseThreshold', () => {
  it('maximizes accuracy, preferring the candidate closest to 0.5 within a split', () => {
    // split 0.8 (acc .8) is given by 0.8 and by the midpoint 0.75
    const c = choose({ maximize: 'accuracy' });
    expect(c.threshold).toBe(0.75);
    expect(c.objective).toBeCloseTo(0.8, 12);
    expect(c.constraintMet).toBe(true);
    expect(c.message).toBeNull();
    expect(c.metrics.perClass.map((m) => m.recall)).toEqual([1, 0.5]);
  });

  it('with a tolerance, takes the threshold closest to 0.5 among the nearly best', () => {
    // accuracy .8 only at split 0.8; within .1 of it also splits 0.9, 0.7, 0.55 (by 0.475) and 0.35
    expect(choose({ maximize: 'accuracy', tolerance: 0.05 }).threshold).toBe(0.75);
    const c = choose({ maximize: 'accuracy', tolerance: 0.1 });
    expect(c.threshold).toBeCloseTo(0.475, 12);
    expect(c.objective).toBeCloseTo(0.7, 12);
  });

  it('breaks a tie between splits by closeness to 0.5', () => {
    // balanced accuracy .75 at split 0.8 (0.8, 0.75) and split 0.35 (0.35, 0.325)
    expect(choose({ maximize: 'balanced_accuracy' }).threshold).toBe(0.35);
    expect(choose({ maximize: 'youden' }).threshold).toBe(0.35);
    expect(choose({ maximize: 'youden' }).objective).toBeCloseTo(0.5, 12);
  });

  it('maximizes the positive class F1', () => {
    // F1 = 2tp / (2tp + fp + fn): best 8/11 at split 0.35
    const c = choose({ maximize: 'f1' });
    expect(c.threshold).toBe(0.35);
    expect(c.objective).toBeCloseTo(8 / 11, 12);
  });

  it('keeps only thresholds meeting min_class_recall', () => {
    // only split 0.55 has both recalls >= 0.6; its midpoint 0.475 is closer to 0.5 than 0.55
    const c = choose({ maximize: 'accuracy', min_class_recall: 0.6 });
    expect(c.threshold).toBeCloseTo(0.475, 12);
    expect(c.objective).toBeCloseTo(0.7, 12);
    expect(c.constraintMet).toBe(true);
    expect(c.minClassRecall).toBe(0.6);
  });

  it('falls back to the best worst-class recall and says so when the constraint cannot be met', () => {
    const c = choose({ maximize: 'accuracy', min_class_recall: 0.7 });
    // best worst-class recall: 4/6 at split 0.55
    expect(c.constraintMet).toBe(false);
    expect(c.threshold).toBeCloseTo(0.475, 12);
    expect(c.message).toBe(
      'no threshold gives every class a validation recall >= 0.7; using 0.475, where the worst recall is 0.6667 (NORMAL)',
    );
    expect(c.sweep.every((p) => !p.feasible)).toBe(true);
  });

  it('returns the sweep over every candidate in ascending order', () => {
    const { sweep } = choose({ maximize: 'accuracy', min_class_recall: 0.5 });
    // 10 distinct scores, 9 midpoints, and (0.9 + 1) / 2
    expect(sweep).toHaveLength(20);
    expect(sweep[0].threshold).toBe(0.1);
    expect(sweep[19].threshold).toBe(0.95);
    expect(sweep.map((p) => p.threshold)).toEqual([...sweep.map((p) => p.threshold)].sort((a, b) => a - b));
    const at = sweep.find((p) => Math.abs(p.threshold - 0.475) < 1e-12);
    expect(at).toMatchObject({ accuracy: 0.7, recall: [4 / 6, 0.75], feasible: true });
    expect(sweep.find((p) => p.threshold === 0.95)).toMatchObject({ accuracy: 0.6, recall: [1, 0], feasible: false });
  });

  it('rejects more than two classes and bad specs', () => {
    expect(() => chooseThreshold([0.5], [0], { maximize: 'accuracy' }, ['a', 'b', 'c'])).toThrow('argmax');
    expect(() => choose({ maximize: 'accuracy', min_class_recall: 1.5 })).toThrow('min_class_recall must be in [0, 1]');
    expect(() => chooseThreshold([], [], { maximize: 'accuracy' })).toThrow('empty validation set');
  });
});
