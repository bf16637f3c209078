/** matrix[t][p] = number of samples of true class t predicted as class p. */
export type ConfusionMatrix = number[][];

/** Throws unless every entry is an integer class index in [0, numClasses). */
export function checkLabels(labels: ArrayLike<number>, numClasses: number, what = 'label'): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new Error(`${what} ${v} at sample ${i} is not a class index in [0, ${numClasses})`);
    }
  }
}

export function confusionMatrix(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  numClasses: number,
): ConfusionMatrix {
  if (labels.length !== predictions.length) {
    throw new Error(`got ${predictions.length} predictions for ${labels.length} labels`);
  }
  checkLabels(labels, numClasses);
  checkLabels(predictions, numClasses, 'prediction');
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][predictions[i]]++;
  return m;
}
