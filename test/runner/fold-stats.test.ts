import { describe, expect, it } from 'vitest';
import { foldMeanSd } from '../../src/runner/fold-stats.js';

describe('foldMeanSd', () => {
  it('gives the mean and sample sd of every test and kept-epoch validation metric all folds have', () => {
    const folds: Record<string, number>[] = [
      { test_accuracy: 0.8, best_val_auc: 0.9, test_accuracy_ci_low: 0.7, kept_epoch: 3, test_auc: 0.5 },
      { test_accuracy: 0.9, best_val_auc: 0.7, test_accuracy_ci_low: 0.8, kept_epoch: 2 },
      { test_accuracy: 0.7, best_val_auc: 0.8, test_accuracy_ci_low: 0.6, kept_epoch: 1 },
    ];
    const s = foldMeanSd(folds);
    // By hand: accuracy mean 0.8, deviations +-0.1 and 0: sd = sqrt((0.01 + 0.01) / 2) = 0.1.
    expect(Object.keys(s)).toEqual(['best_val_auc_mean', 'best_val_auc_sd', 'test_accuracy_mean', 'test_accuracy_sd']);
    expect(s.test_accuracy_mean).toBeCloseTo(0.8, 12);
    expect(s.test_accuracy_sd).toBeCloseTo(0.1, 12);
    expect(s.best_val_auc_mean).toBeCloseTo(0.8, 12);
    expect(s.best_val_auc_sd).toBeCloseTo(0.1, 12);
    expect(foldMeanSd([{ test_accuracy: 0.5 }, { test_accuracy: 1 }])).toEqual({ test_accuracy_mean: 0.75, test_accuracy_sd: Math.sqrt(0.125) });
  });
});
