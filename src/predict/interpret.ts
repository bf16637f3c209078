import { applyTemperature } from '../metrics/calibration.js';
import { classProbabilities, decideClass } from '../model/head.js';
import type { ModelSignature } from '../model/signature.js';

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
  const row = signature.temperature === undefined ? output : applyTemperature(output, output.length, signature.temperature);
  const index = decideClass(row, signature.threshold);
  const probabilities = classProbabilities(row);
  return { index, label: signature.classes[index]!, probability: probabilities[index]!, probabilities };
}
