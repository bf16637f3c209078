import { alignTestSets } from '../compare/compare-runs.js';
import type { TestPredictions } from '../compare/test-predictions.js';
import type { Experiment } from '../config/schema.js';
import type { ValidatedExperiment } from '../config/validate.js';
import { chooseThreshold, evaluate, flatMetrics, judgeTargets, metricIntervals, type Evaluation, type ThresholdChoice, type Verdict } from '../metrics/index.js';
import { headFor } from '../model/head.js';

/** Models judged as one: averaged test probabilities at a threshold chosen on validation. */
export interface JudgedEnsemble {
  /** The mean of the members' test probabilities, in the first member's file order. */
  test: TestPredictions;
  /** The validation predictions the threshold was chosen on. */
  validation: TestPredictions;
  threshold: number | null;
  /** How the threshold was chosen on validation (absent for a fixed one or more than two classes). */
  choice?: ThresholdChoice;
  evaluation: Evaluation;
  metrics: Record<string, number>;
  verdict: Verdict;
}

/** How an ensemble is judged: as the experiment of its members says. */
export type JudgeSettings = Pick<Experiment, 'evaluate' | 'targets'> & { seed: number; name: string };

/** What evaluate() takes of predictions: positive-class probabilities with two classes, rows otherwise. */
const probabilitiesOf = (p: TestPredictions): number[] | number[][] => {
  const { positive } = headFor(p.classes.length);
  return positive === null ? p.probabilities : p.probabilities.map((r) => r[positive]!);
};

/** The mean of several runs' probabilities on one set of images (refused when the sets differ), in the first one's order. */
export function meanProbabilities(sets: TestPredictions[], split: 'test' | 'validation' = 'test'): TestPredictions {
  const first = sets[0]!;
  const aligned = sets.map((s) => alignTestSets(first, s, split));
  const probabilities = first.probabilities.map((row, i) => row.map((_, k) => aligned.reduce((a, t) => a + t.probabilities[i]![k]!, 0) / aligned.length));
  return { ...first, probabilities, predicted: [] };
}

/**
 * Judges averaged test probabilities as a run is judged: the threshold chosen (as the settings
 * say) on `validation`, never on test; `test_*` metrics with intervals, `best_val_*` on validation.
 */
export function judgeEnsemble(settings: JudgeSettings, test: TestPredictions, validation: TestPredictions, label: string): JudgedEnsemble {
  const { evaluate: e } = settings;
  const classes = test.classes;
  let threshold: number | null = null;
  let choice: ThresholdChoice | undefined;
  if (headFor(classes.length).positive !== null) {
    const setting = e.threshold;
    if (typeof setting !== 'number') choice = chooseThreshold(probabilitiesOf(validation), validation.labels, { maximize: setting.maximize, min_class_recall: setting.min_class_recall, tolerance: setting.tolerance }, classes);
    threshold = choice?.threshold ?? (setting as number);
  }
  const at = threshold !== null ? { threshold } : {};
  const input = { probabilities: probabilitiesOf(test), labels: test.labels };
  const evaluation = evaluate({ ...input, classes, ...at });
  const onValidation = evaluate({ probabilities: probabilitiesOf(validation), labels: validation.labels, classes, ...at });
  const metrics = {
    ...flatMetrics(evaluation),
    ...metricIntervals(evaluation, input, 'test_', { seed: settings.seed, ...(e.confidence ? { confidence: e.confidence } : {}) }),
    ...flatMetrics(onValidation, 'best_val_'),
    ...(threshold !== null ? { threshold } : {}),
  };
  return {
    test: { ...test, runName: `${settings.name} ${label}`, predicted: evaluation.predictions },
    validation: { ...validation, predicted: onValidation.predictions },
    threshold,
    ...(choice ? { choice } : {}),
    evaluation,
    metrics,
    verdict: judgeTargets(settings.targets, metrics, classes, 'test_', e.confidence !== undefined),
  };
}

/**
 * The K fold models as one: the mean of their test probabilities, judged at a threshold chosen
 * on the pooled out-of-fold validation predictions (each train image once, by the model that
 * did not train on it).
 */
export function foldEnsemble(exp: ValidatedExperiment, folds: { test: TestPredictions; validation: TestPredictions }[]): JudgedEnsemble {
  const c = exp.config;
  const outOfFold: TestPredictions = {
    ...folds[0]!.validation,
    runName: `${c.name} out-of-fold`,
    files: folds.flatMap((f) => f.validation.files),
    labels: folds.flatMap((f) => f.validation.labels),
    predicted: [],
    probabilities: folds.flatMap((f) => f.validation.probabilities),
  };
  return judgeEnsemble({ evaluate: c.evaluate, targets: c.targets, seed: c.train.seed, name: c.name }, meanProbabilities(folds.map((f) => f.test)), outOfFold, 'fold-ensemble');
}
