import { classKeys } from '../data/class-keys.js';
import { calibrationMetrics, type CalibrationMetrics } from './calibration.js';
import { classificationMetrics, type ClassificationMetrics } from './classification.js';
import { checkLabels } from './confusion.js';
import { predictLabels } from './predict.js';
import { normalizeProbabilities, type Probabilities } from './probabilities.js';
import { rankingMetrics, type RankingMetrics } from './ranking.js';

export interface EvaluateInput {
  /** binary: probability of the second class per sample (or softmax rows of 2); K > 2: a softmax row per sample */
  probabilities: Probabilities;
  /** true class index per sample */
  labels: ArrayLike<number>;
  /** class names in index order; for binary the second is the positive class */
  classes: readonly string[];
  /** binary decision threshold, default 0.5; ignored for K > 2 (argmax) */
  threshold?: number;
}

/** Everything measured on one labelled set. perClass[i] and curves[].classIndex index into classes. */
export interface Evaluation extends ClassificationMetrics, RankingMetrics, CalibrationMetrics {
  classes: string[];
  /** the binary threshold used; null for K > 2, where prediction is argmax */
  threshold: number | null;
  predictions: number[];
}

export function evaluate({ probabilities, labels, classes, threshold = 0.5 }: EvaluateInput): Evaluation {
  if (new Set(classes).size !== classes.length) throw new Error(`class names must be distinct: ${classes.join(', ')}`);
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`threshold must be in [0, 1], got ${threshold}`);
  const probs = normalizeProbabilities(probabilities, labels.length, classes.length);
  checkLabels(labels, classes.length);
  const predictions = predictLabels(probs, threshold);
  return {
    classes: [...classes],
    threshold: probs.kind === 'binary' ? threshold : null,
    predictions: Array.from(predictions),
    ...classificationMetrics(labels, predictions, classes.length),
    ...rankingMetrics(probs, labels),
    ...calibrationMetrics(probs, labels),
  };
}

/**
 * Flat metrics under fixed names, a contract read by other code:
 * <prefix>accuracy, <prefix>{recall,precision,f1,specificity,support}_<CLASS KEY> (see classKey),
 * <prefix>auc, <prefix>pr_auc, <prefix>balanced_accuracy, <prefix>baseline_accuracy, <prefix>brier, <prefix>ece.
 */
export function flatMetrics(evaluation: Evaluation, prefix = 'test_'): Record<string, number> {
  const out: Record<string, number> = { [`${prefix}accuracy`]: evaluation.accuracy };
  classKeys(evaluation.classes).forEach((name, i) => {
    const c = evaluation.perClass[i];
    out[`${prefix}recall_${name}`] = c.recall;
    out[`${prefix}precision_${name}`] = c.precision;
    out[`${prefix}f1_${name}`] = c.f1;
    out[`${prefix}specificity_${name}`] = c.specificity;
    out[`${prefix}support_${name}`] = c.support;
  });
  out[`${prefix}auc`] = evaluation.auc;
  out[`${prefix}pr_auc`] = evaluation.prAuc;
  out[`${prefix}balanced_accuracy`] = evaluation.balancedAccuracy;
  out[`${prefix}baseline_accuracy`] = evaluation.baselineAccuracy;
  out[`${prefix}brier`] = evaluation.brier;
  out[`${prefix}ece`] = evaluation.ece;
  return out;
}
