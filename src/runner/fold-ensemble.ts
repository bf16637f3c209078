import { alignTestSets } from '../compare/compare-runs.js';
import type { TestPredictions } from '../compare/test-predictions.js';
import type { ValidatedExperiment } from '../config/validate.js';
import { chooseThreshold, evaluate, flatMetrics, judgeTargets, metricIntervals, type Evaluation, type Verdict } from '../metrics/index.js';
import { headFor } from '../model/head.js';

export interface FoldEnsemble {
  /** The mean of the folds' test probabilities, in the first fold's file order. */
  test: TestPredictions;
  /** The pooled out-of-fold validation predictions (each train image once, by the model that did not train on it). */
  outOfFold: TestPredictions;
  threshold: number | null;
  evaluation: Evaluation;
  metrics: Record<string, number>;
  verdict: Verdict;
}

/** What evaluate() takes of predictions: positive-class probabilities with two classes, rows otherwise. */
const probabilitiesOf = (p: TestPredictions): number[] | number[][] => {
  const { positive } = headFor(p.classes.length);
  return positive === null ? p.probabilities : p.probabilities.map((r) => r[positive]!);
};

/**
 * The K fold models as one: the mean of their test probabilities, judged at a threshold chosen
 * (as the experiment says) on the pooled out-of-fold validation predictions, never on test.
 * Its metrics are named as a run's (`test_*` with intervals, `best_val_*` on the pooled folds).
 */
export function foldEnsemble(exp: ValidatedExperiment, folds: { test: TestPredictions; validation: TestPredictions }[]): FoldEnsemble {
  const c = exp.config;
  const first = folds[0]!.test;
  const tests = folds.map((f) => alignTestSets(first, f.test));
  const mean = first.probabilities.map((row, i) => row.map((_, k) => tests.reduce((a, t) => a + t.probabilities[i]![k]!, 0) / tests.length));
  const outOfFold: TestPredictions = {
    ...folds[0]!.validation,
    runName: `${c.name} out-of-fold`,
    files: folds.flatMap((f) => f.validation.files),
    labels: folds.flatMap((f) => f.validation.labels),
    predicted: [],
    probabilities: folds.flatMap((f) => f.validation.probabilities),
  };
  const classes = first.classes;
  let threshold: number | null = null;
  if (headFor(classes.length).positive !== null) {
    const setting = c.evaluate.threshold;
    threshold = typeof setting === 'number' ? setting : chooseThreshold(probabilitiesOf(outOfFold), outOfFold.labels, { maximize: setting.maximize, min_class_recall: setting.min_class_recall, tolerance: setting.tolerance }, classes).threshold;
  }
  const at = threshold !== null ? { threshold } : {};
  const input = { probabilities: probabilitiesOf({ ...first, probabilities: mean }), labels: first.labels };
  const evaluation = evaluate({ ...input, classes, ...at });
  const oof = evaluate({ probabilities: probabilitiesOf(outOfFold), labels: outOfFold.labels, classes, ...at });
  const metrics = {
    ...flatMetrics(evaluation),
    ...metricIntervals(evaluation, input, 'test_', { seed: c.train.seed, ...(c.evaluate.confidence ? { confidence: c.evaluate.confidence } : {}) }),
    ...flatMetrics(oof, 'best_val_'),
    ...(threshold !== null ? { threshold } : {}),
  };
  return {
    test: { ...first, runName: `${c.name} fold-ensemble`, probabilities: mean, predicted: evaluation.predictions },
    outOfFold: { ...outOfFold, predicted: oof.predictions },
    threshold,
    evaluation,
    metrics,
    verdict: judgeTargets(c.targets, metrics, classes, 'test_', c.evaluate.confidence !== undefined),
  };
}
