import { applyTemperature } from '../metrics/calibration.js';
import type { ModelSignature } from '../runner/signature.js';

export interface ClassScore {
  /** index into the signature's classes */
  index: number;
  label: string;
  /** probability of the predicted class */
  probability: number;
  /** probability of every class, in class order */
  probabilities: number[];
}

/**
 * One output row read as exp decided during evaluation: rescaled by the run's temperature when
 * it calibrated; then with two classes, p(positive) >= the run's threshold (0.5 when it logged
 * none) means the positive class; with more, argmax.
 */
export function interpretOutput(output: ArrayLike<number>, signature: Pick<ModelSignature, 'classes' | 'threshold' | 'temperature'>): ClassScore {
  const { classes } = signature;
  const row = signature.temperature === undefined ? output : applyTemperature(output, output.length, signature.temperature);
  if (classes.length === 2) {
    const p = row[0]!;
    const index = p >= (signature.threshold ?? 0.5) ? 1 : 0;
    const probabilities = [1 - p, p];
    return { index, label: classes[index]!, probability: probabilities[index]!, probabilities };
  }
  const probabilities = Array.from(row);
  let index = 0;
  for (let k = 1; k < probabilities.length; k++) if (probabilities[k]! > probabilities[index]!) index = k;
  return { index, label: classes[index]!, probability: probabilities[index]!, probabilities };
}
