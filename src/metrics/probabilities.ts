import { headFor, headOfUnits } from '../model/head.js';

/**
 * Model outputs as this module accepts them. Binary: one probability of the
 * positive (second) class per sample, or softmax rows of two. K > 2: one
 * probability row per sample.
 */
export type Probabilities = ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;

/** Probabilities checked and brought to one shape per case. */
export type NormalizedProbabilities =
  | { kind: 'binary'; positive: Float64Array }
  | { kind: 'multiclass'; rows: Float64Array[] };

function isRows(p: Probabilities): p is ReadonlyArray<ArrayLike<number>> {
  return p.length > 0 && typeof p[0] !== 'number';
}

/**
 * Checks shape and range and returns a normalized copy. Values outside [0, 1]
 * (and NaN) are rejected rather than clamped: they usually mean logits were
 * passed instead of probabilities, or training diverged, and every metric
 * computed from them would be silently wrong.
 */
export function normalizeProbabilities(
  probabilities: Probabilities,
  labelCount: number,
  numClasses: number,
): NormalizedProbabilities {
  if (numClasses < 2) throw new Error(`need at least 2 classes, got ${numClasses}`);
  if (probabilities.length !== labelCount) {
    throw new Error(`got ${probabilities.length} probabilities for ${labelCount} labels`);
  }
  const check = (v: number, where: string): number => {
    if (!(v >= 0 && v <= 1)) {
      throw new Error(`probability ${v} at ${where} is not in [0, 1] (logits instead of probabilities, or a diverged model?)`);
    }
    return v;
  };
  if (!isRows(probabilities)) {
    if (numClasses !== 2) {
      throw new Error(`one probability per sample only works for 2 classes; with ${numClasses} classes pass one row of ${numClasses} per sample`);
    }
    const flat = probabilities;
    return { kind: 'binary', positive: Float64Array.from({ length: flat.length }, (_, i) => check(flat[i], `sample ${i}`)) };
  }
  const rows = probabilities.map((row, i) => {
    if (row.length !== numClasses) {
      throw new Error(`probability row of sample ${i} has ${row.length} entries, expected ${numClasses}`);
    }
    return Float64Array.from({ length: row.length }, (_, k) => check(row[k], `sample ${i}, class ${k}`));
  });
  // Two-column softmax rows are the binary case: keep the positive column.
  const { positive } = headFor(numClasses);
  if (positive !== null) return { kind: 'binary', positive: Float64Array.from(rows, (r) => r[positive]!) };
  return { kind: 'multiclass', rows };
}

/** Model outputs [n, units] as this module takes them: one sigmoid unit is p(positive) per image; more are softmax rows. */
export function outputProbabilities(outputs: Float32Array, units: number): Float32Array | Float32Array[] {
  if (headOfUnits(units).activation === 'sigmoid') return outputs;
  return Array.from({ length: outputs.length / units }, (_, i) => outputs.subarray(i * units, (i + 1) * units));
}
