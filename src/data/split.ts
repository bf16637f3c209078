import { DataError } from './errors.js';
import { mulberry32, shuffleInPlace } from './rng.js';

/**
 * Where the validation set comes from.
 * - `train`: carved out of train, seeded. With `stratify`, each class gives
 *   `round(fraction * n_class)` images (so class proportions are kept); without, the set is
 *   `round(fraction * n_train)` images drawn from all of train.
 * - `val`: the data set's own `val` folder.
 */
export type ValidationSpec = { from: 'train'; fraction: number; stratify: boolean } | { from: 'val' };

export interface Carve {
  /** Indices (ascending) into the original train split that stay in train. */
  train: number[];
  /** Indices (ascending) that form the validation set. */
  val: number[];
}

/** Splits train indices into train and validation; the same inputs and seed always give the same result. */
export function carveValidation(labels: ArrayLike<number>, numClasses: number, fraction: number, stratify: boolean, seed: number): Carve {
  if (!(fraction > 0 && fraction < 1)) throw new DataError(`validation fraction must be between 0 and 1 (exclusive), got ${fraction}`);
  const rng = mulberry32(seed);
  const groups: number[][] = stratify
    ? Array.from({ length: numClasses }, () => [])
    : [Array.from({ length: labels.length }, (_, i) => i)];
  if (stratify) for (let i = 0; i < labels.length; i++) groups[labels[i]].push(i);
  const inVal = new Uint8Array(labels.length);
  for (const group of groups) {
    for (const i of shuffleInPlace(group, rng).slice(0, Math.round(fraction * group.length))) inVal[i] = 1;
  }
  const carve: Carve = { train: [], val: [] };
  inVal.forEach((v, i) => (v ? carve.val : carve.train).push(i));
  if (carve.val.length === 0 || carve.train.length === 0) {
    throw new DataError(`validation fraction ${fraction} of ${labels.length} train images leaves an empty ${carve.val.length === 0 ? 'validation' : 'training'} set`);
  }
  return carve;
}
