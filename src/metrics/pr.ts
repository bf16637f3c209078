import type { BinaryCounts } from './binary-counts.js';

export interface PrPoint {
  /** score >= threshold -> positive; the first point's is +Infinity (nothing positive; JSON writes it as null) */
  threshold: number;
  recall: number;
  precision: number;
}

export interface PrCurve {
  /** by descending threshold (ascending recall), starting at recall 0, precision 1 */
  points: PrPoint[];
  /** NaN when the labels hold no positive */
  averagePrecision: number;
}

/**
 * Precision-recall curve with one point per distinct score, and average
 * precision as scikit-learn defines it: sum over thresholds of
 * (R_i - R_{i-1}) * P_i, a step function with no interpolation.
 */
export function prCurve(counts: BinaryCounts): PrCurve {
  const p = counts.positives;
  const points: PrPoint[] = [{ threshold: Infinity, recall: 0, precision: 1 }];
  let ap = 0;
  let prevTp = 0;
  counts.thresholds.forEach((threshold, i) => {
    const tp = counts.tp[i];
    // tp + fp > 0: every distinct score belongs to at least one sample.
    const precision = tp / (tp + counts.fp[i]);
    points.push({ threshold, recall: tp / p, precision });
    ap += ((tp - prevTp) / p) * precision;
    prevTp = tp;
  });
  return { points, averagePrecision: p === 0 ? NaN : ap };
}
