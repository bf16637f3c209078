import { mulberry32 } from '../data/rng.js';

/**
 * Seeded stratified bootstrap resamples: each draws, with replacement, as many images of each
 * true class as the set has, so every resample keeps the class mix (and a ranking metric stays
 * defined). Yields the picked indices, class by class. One generator serves a single model's
 * intervals and a paired comparison (both models scored on the same picks).
 */
export function* stratifiedResamples(labels: ArrayLike<number>, numClasses: number, resamples: number, seed: number): Generator<number[]> {
  const random = mulberry32(seed);
  const byClass = Array.from({ length: numClasses }, (_, c) => Array.from(labels).flatMap((l, i) => (l === c ? [i] : [])));
  for (let r = 0; r < resamples; r++) yield byClass.flatMap((members) => members.map(() => members[Math.floor(random() * members.length)]!));
}

/** The q-quantile of sorted values by linear interpolation (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}
