import type { NormalizedProbabilities } from './probabilities.js';

/** Binary rule: probability of the positive (second) class >= threshold -> class 1. */
export function predictBinary(positive: ArrayLike<number>, threshold: number): Int32Array {
  return Int32Array.from({ length: positive.length }, (_, i) => (positive[i] >= threshold ? 1 : 0));
}

/** Index of the largest entry; on a tie the lowest index wins, so results are deterministic. */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
  return best;
}

/**
 * Predicted labels. Binary uses the threshold; K > 2 takes the argmax of each
 * row and ignores the threshold, since one cut-off cannot trade between more
 * than two classes.
 */
export function predictLabels(probabilities: NormalizedProbabilities, threshold: number): Int32Array {
  return probabilities.kind === 'binary'
    ? predictBinary(probabilities.positive, threshold)
    : Int32Array.from(probabilities.rows, argmax);
}
