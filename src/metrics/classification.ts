import { confusionMatrix, type ConfusionMatrix } from './confusion.js';

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** one-vs-rest: TN / (TN + FP) with this class as the positive one */
  specificity: number;
  /** number of samples whose true class is this one */
  support: number;
}

export interface AveragedMetrics {
  precision: number;
  recall: number;
  f1: number;
  specificity: number;
}

export interface ClassificationMetrics {
  /** number of samples */
  n: number;
  confusion: ConfusionMatrix;
  accuracy: number;
  /** mean recall over the classes present in the true labels (as scikit-learn) */
  balancedAccuracy: number;
  /** accuracy of always predicting the most frequent true class of this set */
  baselineAccuracy: number;
  /** indexed by class */
  perClass: ClassMetrics[];
  /** unweighted mean over all classes */
  macro: AveragedMetrics;
  /** mean weighted by support */
  weighted: AveragedMetrics;
}

/**
 * Zero-division rule (scikit-learn's zero_division=0): a ratio whose
 * denominator is 0 is 0. So a never-predicted class has precision 0, a class
 * absent from the true labels has recall 0, and F1 is 0 when precision and
 * recall are both 0. Reporting 0 rather than NaN makes a degenerate model
 * fail "every class" targets instead of slipping past them.
 */
function ratio(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

function mean(values: readonly number[], weights?: readonly number[]): number {
  const w = weights ?? values.map(() => 1);
  const total = w.reduce((a, b) => a + b, 0);
  return ratio(values.reduce((acc, v, i) => acc + v * w[i], 0), total);
}

function average(perClass: readonly ClassMetrics[], weights?: readonly number[]): AveragedMetrics {
  const of = (key: keyof AveragedMetrics): number => mean(perClass.map((c) => c[key]), weights);
  return { precision: of('precision'), recall: of('recall'), f1: of('f1'), specificity: of('specificity') };
}

/** Throws on an empty matrix: no metric of zero samples means anything. */
export function metricsFromConfusion(confusion: ConfusionMatrix): ClassificationMetrics {
  const k = confusion.length;
  const support = confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const predicted = confusion[0].map((_, p) => confusion.reduce((acc, row) => acc + row[p], 0));
  const n = support.reduce((a, b) => a + b, 0);
  if (n === 0) throw new Error('cannot compute metrics of an empty set');
  let correct = 0;
  for (let c = 0; c < k; c++) correct += confusion[c][c];

  const perClass = confusion.map((row, c): ClassMetrics => {
    const tp = row[c];
    const fp = predicted[c] - tp;
    const fn = support[c] - tp;
    const tn = n - tp - fp - fn;
    const precision = ratio(tp, tp + fp);
    const recall = ratio(tp, tp + fn);
    return {
      precision,
      recall,
      f1: ratio(2 * precision * recall, precision + recall),
      specificity: ratio(tn, tn + fp),
      support: support[c],
    };
  });
  const present = perClass.filter((c) => c.support > 0);

  return {
    n,
    confusion,
    accuracy: correct / n,
    balancedAccuracy: mean(present.map((c) => c.recall)),
    baselineAccuracy: Math.max(...support) / n,
    perClass,
    macro: average(perClass),
    weighted: average(perClass, support),
  };
}

export function classificationMetrics(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  numClasses: number,
): ClassificationMetrics {
  return metricsFromConfusion(confusionMatrix(labels, predictions, numClasses));
}
