/**
 * Hand-checked data sets shared by the metric tests. Expected numbers are
 * written out in each test, derived by hand from these.
 */

/**
 * 10 binary samples, 6 negatives then 4 positives. At threshold 0.5 the
 * confusion matrix is [[4, 2], [1, 3]]. Scores by descending value:
 * 0.9 P, 0.8 P, 0.7 N, 0.6 N, 0.55 P, 0.4 N, 0.35 P, 0.3 N, 0.2 N, 0.1 N.
 */
export const TEN = {
  labels: [0, 0, 0, 0, 0, 0, 1, 1, 1, 1],
  probabilities: [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.35, 0.55, 0.8, 0.9],
  classes: ['NORMAL', 'PNEUMONIA'],
};

/**
 * 6 samples, 3 classes, softmax rows summing to 1. Argmax predicts
 * [0, 1, 1, 0, 2, 2].
 */
export const THREE = {
  labels: [0, 0, 1, 1, 2, 2],
  probabilities: [
    [0.7, 0.2, 0.1],
    [0.3, 0.4, 0.3],
    [0.2, 0.6, 0.2],
    [0.5, 0.3, 0.2],
    [0.1, 0.1, 0.8],
    [0.3, 0.3, 0.4],
  ],
  classes: ['a', 'b', 'c'],
};

/** The chest X-ray test set (234 NORMAL, 390 PNEUMONIA) and a model calling everything PNEUMONIA. */
export function allPneumonia(): { labels: Int32Array; probabilities: Float32Array; classes: string[] } {
  const labels = new Int32Array(624);
  labels.fill(1, 234);
  return { labels, probabilities: new Float32Array(624).fill(0.9), classes: ['NORMAL', 'PNEUMONIA'] };
}
