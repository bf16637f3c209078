import { quantile, stratifiedResamples } from '../metrics/resample.js';

/** A difference between two models on one test set, with its percentile interval and two-sided p. */
export interface PairedDifference {
  diff: number;
  low: number;
  high: number;
  p: number;
}

export interface PairedBootstrapOptions {
  resamples?: number;
  confidence?: number;
  seed?: number;
}

/**
 * A paired, seeded, stratified bootstrap of differences: each resample (stratifiedResamples)
 * picks the same images for both models, and `differences` gives each named statistic's
 * second-minus-first value on those picks. The interval is the percentile one; p is twice
 * the smaller share of resamples on either side of 0 (capped at 1). A NaN resample value is
 * left out.
 */
export function pairedBootstrap(
  labels: ArrayLike<number>,
  numClasses: number,
  differences: (picked: readonly number[]) => Record<string, number>,
  { resamples = 2000, confidence = 0.95, seed = 0 }: PairedBootstrapOptions = {},
): Record<string, PairedDifference> {
  const point = differences(Array.from({ length: labels.length }, (_, i) => i));
  const draws: Record<string, number[]> = Object.fromEntries(Object.keys(point).map((k) => [k, []]));
  for (const picked of stratifiedResamples(labels, numClasses, resamples, seed)) {
    for (const [key, value] of Object.entries(differences(picked))) if (!Number.isNaN(value)) draws[key]?.push(value);
  }
  const alpha = (1 - confidence) / 2;
  return Object.fromEntries(
    Object.entries(draws).map(([key, values]) => {
      const sorted = values.sort((a, b) => a - b);
      const below = sorted.filter((v) => v <= 0).length;
      const above = sorted.filter((v) => v >= 0).length;
      const p = sorted.length ? Math.min(1, (2 * Math.min(below, above)) / sorted.length) : NaN;
      return [key, { diff: point[key]!, low: quantile(sorted, alpha), high: quantile(sorted, 1 - alpha), p }];
    }),
  );
}
