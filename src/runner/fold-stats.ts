/** Which of a fold's metrics the parent summarizes: every test and kept-epoch validation figure, not their intervals. */
const SUMMARIZED = /^(test_|best_val_)(?!.*_ci_(low|high)$)/;

/**
 * `<key>_mean` and `<key>_sd` (the sample standard deviation, n - 1) over the folds of every
 * metric all folds logged; a metric some fold lacks is left out rather than averaged over fewer.
 */
export function foldMeanSd(folds: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  const keys = Object.keys(folds[0] ?? {}).filter((k) => SUMMARIZED.test(k) && folds.every((f) => typeof f[k] === 'number'));
  for (const key of keys.sort()) {
    const values = folds.map((f) => f[key]!);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : NaN;
    out[`${key}_mean`] = mean;
    out[`${key}_sd`] = sd;
  }
  return out;
}
