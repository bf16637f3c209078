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
 * - `fold`: one fold of a k-fold cross-validation of train (assignFolds).
 */
export type ValidationSpec =
  | { from: 'train'; fraction: number; stratify: boolean; group?: GroupSpec }
  | { from: 'val' }
  /** Fold `index` (0-based) of `k` validates; see assignFolds. */
  | { from: 'fold'; k: number; index: number; stratify: boolean; group?: GroupSpec };

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
 * Train images by group (first-seen order, so the result does not depend on how a Map orders)
 * and the groups by stratum: with `stratify` each group counts for the class most of its
 * images have, without it all groups are one stratum.
 */
function groupStrata(labels: ArrayLike<number>, groups: readonly string[], numClasses: number, stratify: boolean): { members: Map<string, number[]>; strata: string[][] } {
  const members = new Map<string, number[]>();
  groups.forEach((g, i) => (members.get(g) ?? members.set(g, []).get(g)!).push(i));
  const classOf = (key: string): number => {
    const counts = new Array<number>(numClasses).fill(0);
    for (const i of members.get(key)!) counts[labels[i]!]!++;
    return counts.indexOf(Math.max(...counts));
  };
  const strata: string[][] = stratify ? Array.from({ length: numClasses }, () => []) : [[]];
  for (const key of members.keys()) strata[stratify ? classOf(key) : 0]!.push(key);
  return { members, strata };
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
  const { members, strata } = groupStrata(labels, groups, numClasses, stratify);
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
    throw new DataError(`validation fraction ${fraction} of ${members.size} groups (${labels.length} train images) leaves an empty ${carve.val.length === 0 ? 'validation' : 'training'} set`);
  }
  return carve;
}

/**
 * Each train image's fold (0..k-1) for k-fold cross-validation, as scikit-learn's
 * StratifiedGroupKFold does it: whole groups go to one fold, and per stratum (class, with
 * `stratify`) groups in seeded order, largest first, each join the fold holding the fewest
 * images of that stratum (ties: the fewest images in all, then the lowest fold). Without
 * `groups` every image is its own group, so each class splits within one image of equal.
 */
export function assignFolds(labels: ArrayLike<number>, groups: readonly string[] | undefined, numClasses: number, k: number, stratify: boolean, seed: number): number[] {
  if (!(Number.isInteger(k) && k >= 2)) throw new DataError(`k-fold needs a whole number of folds >= 2, got ${k}`);
  const { members, strata } = groupStrata(labels, groups ?? Array.from(labels, (_, i) => String(i)), numClasses, stratify);
  if (members.size < k) throw new DataError(`${k}-fold cross-validation needs at least ${k} groups in train, found ${members.size}`);
  const rng = mulberry32(seed);
  const fold = new Array<number>(labels.length).fill(-1);
  const sizes = new Array<number>(k).fill(0);
  for (const stratum of strata) {
    const inStratum = new Array<number>(k).fill(0);
    const order = shuffleInPlace(stratum, rng).sort((a, b) => members.get(b)!.length - members.get(a)!.length);
    for (const key of order) {
      let best = 0;
      for (let f = 1; f < k; f++) if (inStratum[f]! < inStratum[best]! || (inStratum[f] === inStratum[best] && sizes[f]! < sizes[best]!)) best = f;
      const n = members.get(key)!.length;
      inStratum[best]! += n;
      sizes[best]! += n;
      for (const i of members.get(key)!) fold[i] = best;
    }
  }
  return fold;
}

/** Fold `index` of an assignment as a carve: it validates, the other folds train. */
export function foldCarve(folds: readonly number[], index: number): Carve {
  const carve: Carve = { train: [], val: [] };
  folds.forEach((f, i) => (f === index ? carve.val : carve.train).push(i));
  if (carve.val.length === 0) throw new DataError(`fold ${index + 1} of ${Math.max(...folds) + 1} is empty`);
  return carve;
}
