/** Labels as the model's targets: 0/1 for a one-unit sigmoid head, one-hot rows for softmax. */
export function toTargets(labels: ArrayLike<number>, units: number): Float32Array {
  const out = new Float32Array(labels.length * units);
  for (let i = 0; i < labels.length; i++) {
    if (units === 1) out[i] = labels[i]!;
    else out[i * units + labels[i]!] = 1;
  }
  return out;
}

/** Model outputs as class probabilities: the positive class's for one unit, else the rows. */
export function predictedLabels(outputs: Float32Array, units: number, threshold = 0.5): Int32Array {
  const n = outputs.length / units;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (units === 1) {
      out[i] = outputs[i]! >= threshold ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let k = 1; k < units; k++) if (outputs[i * units + k]! > outputs[i * units + best]!) best = k;
    out[i] = best;
  }
  return out;
}

const EPSILON = 1e-7;

/** Mean cross-entropy of outputs against labels, clipped as Keras clips it; unweighted, like Keras's val_loss. */
export function meanCrossEntropy(outputs: Float32Array, labels: ArrayLike<number>, units: number): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    if (units === 1) {
      const p = Math.min(1 - EPSILON, Math.max(EPSILON, outputs[i]!));
      sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
    } else {
      sum -= Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, outputs[i * units + labels[i]!]!)));
    }
  }
  return sum / labels.length;
}

export function accuracy(predicted: Int32Array, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
}
