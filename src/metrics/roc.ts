import type { BinaryCounts } from './binary-counts.js';

export interface RocPoint {
  /** score >= threshold -> positive; the first point's is +Infinity (nothing positive; JSON writes it as null) */
  threshold: number;
  fpr: number;
  tpr: number;
}

export interface RocCurve {
  /** by descending threshold, from (0, 0) to (1, 1) */
  points: RocPoint[];
  /** NaN when the labels hold only one of the two sides */
  auc: number;
}

/**
 * ROC curve with one point per distinct score, and its exact area by the
 * trapezoid rule. Ties make a diagonal step, which counts a tied
 * positive/negative pair as half: the area equals the Mann-Whitney U
 * statistic divided by positives * negatives.
 */
export function rocCurve(counts: BinaryCounts): RocCurve {
  const { positives: p, negatives: n } = counts;
  const points: RocPoint[] = [{ threshold: Infinity, fpr: 0, tpr: 0 }];
  // Twice the area in units of (1/n) * (1/p), kept in integers until the end.
  let area2 = 0;
  let prevTp = 0;
  let prevFp = 0;
  counts.thresholds.forEach((threshold, i) => {
    const tp = counts.tp[i];
    const fp = counts.fp[i];
    points.push({ threshold, fpr: fp / n, tpr: tp / p });
    area2 += (fp - prevFp) * (tp + prevTp);
    prevTp = tp;
    prevFp = fp;
  });
  return { points, auc: p === 0 || n === 0 ? NaN : area2 / (2 * p * n) };
}
