/** Confidence intervals: Wilson against statsmodels, the stratified bootstrap's properties. */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/metrics/evaluate.js';
import { metricIntervals, normalQuantile, stratifiedBootstrap, wilson } from '../../src/metrics/intervals.js';

describe('wilson', () => {
  // statsmodels 0.15.0: proportion_confint(k, n, alpha=0.05, method='wilson')
  it.each([
    [564, 624, 0.8781835049, 0.9245669235],
    [81, 100, 0.7222115462, 0.8748524849],
    [0, 10, 0, 0.2775327999],
    [10, 10, 0.7224672001, 1],
    [1, 3, 0.0614919447, 0.7923403992],
  ])('%i of %i', (k, n, low, high) => {
    const i = wilson(k, n);
    expect(i.low).toBeCloseTo(low, 8);
    expect(i.high).toBeCloseTo(high, 8);
  });

  it('uses the normal quantile of the confidence (scipy.stats.norm.ppf)', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.95996398454, 8);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644853626951, 8);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829303549, 7);
    expect(Number.isNaN(wilson(0, 0).low)).toBe(true);
  });
});

describe('stratifiedBootstrap', () => {
  const labels = Array.from({ length: 624 }, () => 1);
  const probabilities = labels.map((_, i) => (i < 564 ? 0.9 : 0.1));
  const input = { probabilities, labels, classes: ['A', 'B'] };

  it('of one class is the plain bootstrap: its accuracy interval is close to Wilson', () => {
    const { accuracy } = stratifiedBootstrap(input, (e) => ({ accuracy: e.accuracy }), { seed: 1 });
    expect(accuracy!.low).toBeCloseTo(0.8782, 2);
    expect(accuracy!.high).toBeCloseTo(0.9246, 2);
  });

  it('is seeded: the same seed, the same interval; another seed, another', () => {
    const a = stratifiedBootstrap(input, (e) => ({ accuracy: e.accuracy }), { seed: 3, resamples: 200 });
    expect(stratifiedBootstrap(input, (e) => ({ accuracy: e.accuracy }), { seed: 3, resamples: 200 })).toEqual(a);
    expect(stratifiedBootstrap(input, (e) => ({ accuracy: e.accuracy }), { seed: 4, resamples: 200 })).not.toEqual(a);
  });
});

describe('metricIntervals', () => {
  it('bounds every metric with an interval method, around its value', () => {
    const labels = Array.from({ length: 200 }, (_, i) => (i < 80 ? 0 : 1));
    const probabilities = labels.map((l, i) => Math.min(1, Math.max(0, (l ? 0.65 : 0.35) + (((i * 37) % 50) - 25) / 100)));
    const e = evaluate({ probabilities, labels, classes: ['NORMAL', 'PNEUMONIA'] });
    const ci = metricIntervals(e, { probabilities, labels }, 'test_', { resamples: 300 });
    const value = (key: string): number => ({ accuracy: e.accuracy, auc: e.auc, recall_NORMAL: e.perClass[0]!.recall, balanced_accuracy: e.balancedAccuracy, f1_PNEUMONIA: e.perClass[1]!.f1 })[key]!;
    for (const key of ['accuracy', 'auc', 'recall_NORMAL', 'balanced_accuracy', 'f1_PNEUMONIA']) {
      expect(ci[`test_${key}_ci_low`]).toBeLessThanOrEqual(value(key));
      expect(ci[`test_${key}_ci_high`]).toBeGreaterThanOrEqual(value(key));
      expect(ci[`test_${key}_ci_high`]! - ci[`test_${key}_ci_low`]!).toBeGreaterThan(0);
    }
    expect(ci.test_loss_ci_low).toBeUndefined();
  });
});
