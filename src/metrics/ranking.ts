import { binaryCounts } from './binary-counts.js';
import { prCurve, type PrCurve } from './pr.js';
import type { NormalizedProbabilities } from './probabilities.js';
import { rocCurve, type RocCurve } from './roc.js';

/** Curves of one class scored one-vs-rest. */
export interface ClassCurves {
  classIndex: number;
  roc: RocCurve;
  pr: PrCurve;
}

export interface RankingMetrics {
  /** binary: ROC-AUC of the positive class; K > 2: macro mean of one-vs-rest AUCs */
  auc: number;
  /** binary: average precision of the positive class; K > 2: macro mean of one-vs-rest APs */
  prAuc: number;
  /** binary: one entry, the positive (second) class; K > 2: one per class */
  curves: ClassCurves[];
}

function classCurves(scores: ArrayLike<number>, labels: ArrayLike<number>, classIndex: number): ClassCurves {
  const counts = binaryCounts(scores, Array.from(labels, (l) => l === classIndex));
  return { classIndex, roc: rocCurve(counts), pr: prCurve(counts) };
}

/**
 * Threshold-free metrics. A class missing from the labels makes its AUC NaN,
 * and so the macro mean NaN: the set cannot measure it, and a NaN metric
 * fails any target.
 */
export function rankingMetrics(probabilities: NormalizedProbabilities, labels: ArrayLike<number>): RankingMetrics {
  const curves =
    probabilities.kind === 'binary'
      ? [classCurves(probabilities.positive, labels, 1)]
      : Array.from(probabilities.rows[0], (_, k) => classCurves(probabilities.rows.map((row) => row[k]), labels, k));
  const macro = (f: (c: ClassCurves) => number): number => curves.reduce((acc, c) => acc + f(c), 0) / curves.length;
  return { auc: macro((c) => c.roc.auc), prAuc: macro((c) => c.pr.averagePrecision), curves };
}
