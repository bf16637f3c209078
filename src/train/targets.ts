import { classProbability, decideClass } from '../model/head.js';

const rowOf = (outputs: Float32Array, i: number, units: number): Float32Array => outputs.subarray(i * units, (i + 1) * units);

/** Model outputs [n, units] as the classes the head decides. */
export function predictedLabels(outputs: Float32Array, units: number, threshold: number | null = null): Int32Array {
  return Int32Array.from({ length: outputs.length / units }, (_, i) => decideClass(rowOf(outputs, i, units), threshold));
}

const EPSILON = 1e-7;

/** Mean cross-entropy of outputs against labels, clipped as Keras clips it; unweighted, like Keras's val_loss. */
export function meanCrossEntropy(outputs: Float32Array, labels: ArrayLike<number>, units: number): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum -= Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, classProbability(rowOf(outputs, i, units), labels[i]!))));
  return sum / labels.length;
}

export function accuracy(predicted: Int32Array, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
}
