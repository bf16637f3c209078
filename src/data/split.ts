import { DataError } from './errors.js';
import type { GroupSpec } from './groups.js';
import { mulberry32, shuffleInPlace } from './rng.js';

/**
 * Where the validation set comes from.
 * - `train`: carved out of train, seeded. With `stratify`, each class gives
 *   `round(fraction * n_class)` images (so class proportions are kept); without, the set is
 *   `round(fraction * n_train)` images drawn from all of train.
 *   With `group`, whole groups go to one side (carveGroupedValidation).
 * - `val`: the data set's own `val` folder.
 */
export type ValidationSpec = { from: 'train'; fraction: number; stratify: boolean; group?: GroupSpec } | { from: 'val' };

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

/**
 * Carves validation out of train by whole groups (patients), so no group is on both sides;
 * the same inputs and seed give the same result. With `stratify`, each group counts for
 * the class most of its images have, and per class, groups (in seeded order) join
 * validation while that brings the class's image count closer to `round(fraction * n_class)`
 * (scikit-learn's StratifiedGroupKFold balances the same way); with groups of one image this
 * is the ungrouped stratified split's count exactly.
 */
export function carveGroupedValidation(labels: ArrayLike<number>, groups: readonly string[], numClasses: number, fraction: number, stratify: boolean, seed: number): Carve {
  if (!(fraction > 0 && fraction < 1)) throw new DataError(`validation fraction must be between 0 and 1 (exclusive), got ${fraction}`);
  const members = new Map<string, number[]>();
  groups.forEach((g, i) => (members.get(g) ?? members.set(g, []).get(g)!).push(i));
  // Groups in first-seen order, then a seeded shuffle: reproducible whatever the map does.
  const keys = [...members.keys()];
  const classOf = (key: string): number => {
    const counts = new Array<number>(numClasses).fill(0);
    for (const i of members.get(key)!) counts[labels[i]!]!++;
    return counts.indexOf(Math.max(...counts));
  };
  const strata: string[][] = stratify ? Array.from({ length: numClasses }, () => []) : [[]];
  for (const key of keys) strata[stratify ? classOf(key) : 0]!.push(key);
  const rng = mulberry32(seed);
  const inVal = new Uint8Array(labels.length);
  for (const stratum of strata) {
    const size = stratum.reduce((n, k) => n + members.get(k)!.length, 0);
    const target = Math.round(fraction * size);
    let taken = 0;
    for (const key of shuffleInPlace(stratum, rng)) {
      const n = members.get(key)!.length;
      if (Math.abs(taken + n - target) < Math.abs(taken - target)) {
        taken += n;
        for (const i of members.get(key)!) inVal[i] = 1;
      }
    }
  }
  const carve: Carve = { train: [], val: [] };
  inVal.forEach((v, i) => (v ? carve.val : carve.train).push(i));
  if (carve.val.length === 0 || carve.train.length === 0) {
    throw new DataError(`validation fraction ${fraction} of ${keys.length} groups (${labels.length} train images) leaves an empty ${carve.val.length === 0 ? 'validation' : 'training'} set`);
  }
  return carve;
}
