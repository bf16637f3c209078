import { classKeys } from '../data/class-keys.js';
import { metrics as registry } from '../registry/metrics/index.js';
import { evaluate, type Evaluation } from './evaluate.js';
import type { Probabilities } from './probabilities.js';
import { quantile, stratifiedResamples } from './resample.js';

export interface Interval {
  low: number;
  high: number;
}

/**
 * Quantile of the standard normal distribution (Acklam's rational approximation, relative
 * error below 1.2e-9: z(0.975) = 1.959963985).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normal quantile needs p in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Wilson's score interval of k successes in n trials; NaN bounds for n = 0. */
export function wilson(k: number, n: number, confidence = 0.95): Interval {
  if (n === 0) return { low: NaN, high: NaN };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamped: at k = 0 or k = n the formula gives the bound to within rounding.
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface BootstrapOptions {
  resamples?: number;
  confidence?: number;
  seed?: number;
}

/**
 * Percentile intervals from a stratified bootstrap (stratifiedResamples). `statistics` maps an
 * evaluation of a resample to the named values; a NaN value of a resample is left out of that
 * value's interval.
 */
export function stratifiedBootstrap(
  input: { probabilities: Probabilities; labels: ArrayLike<number>; classes: readonly string[]; threshold?: number },
  statistics: (e: Evaluation) => Record<string, number>,
  { resamples = 2000, confidence = 0.95, seed = 0 }: BootstrapOptions = {},
): Record<string, Interval> {
  const rows = input.probabilities as ArrayLike<number | ArrayLike<number>>;
  const draws: Record<string, number[]> = {};
  for (const picked of stratifiedResamples(input.labels, input.classes.length, resamples, seed)) {
    const probabilities = picked.map((i) => rows[i]!) as Probabilities;
    const e = evaluate({ ...input, probabilities, labels: picked.map((i) => input.labels[i]!) });
    for (const [key, value] of Object.entries(statistics(e))) if (!Number.isNaN(value)) (draws[key] ??= []).push(value);
  }
  const alpha = (1 - confidence) / 2;
  return Object.fromEntries(
    Object.entries(draws).map(([key, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return [key, { low: quantile(sorted, alpha), high: quantile(sorted, 1 - alpha) }];
    }),
  );
}

/**
 * `<prefix><metric>_ci_low` / `_ci_high` for every registered metric with an interval method:
 * Wilson from the confusion counts for proportions, the stratified bootstrap for the rest.
 */
export function metricIntervals(
  evaluation: Evaluation,
  input: { probabilities: Probabilities; labels: ArrayLike<number> },
  prefix = 'test_',
  options: BootstrapOptions = {},
): Record<string, number> {
  const confidence = options.confidence ?? 0.95;
  const classKeyed = classKeys(evaluation.classes);
  const keyed = registry.entries().flatMap((m) => (m.perClass ? classKeyed.map((name, c) => ({ m, c, key: `${m.name}_${name}` })) : [{ m, c: 0, key: m.name }]));
  const out: Record<string, number> = {};
  const put = (key: string, i: Interval): void => {
    out[`${prefix}${key}_ci_low`] = i.low;
    out[`${prefix}${key}_ci_high`] = i.high;
  };
  for (const { m, c, key } of keyed) {
    if (m.ci === 'wilson' && m.proportion) put(key, wilson(...m.proportion(evaluation.confusion, c), confidence));
  }
  const boot = keyed.filter(({ m }) => m.ci === 'bootstrap');
  const bounds = stratifiedBootstrap(
    { ...input, classes: evaluation.classes, ...(evaluation.threshold !== null ? { threshold: evaluation.threshold } : {}) },
    (e) => Object.fromEntries(boot.map(({ m, c, key }) => [key, m.compute(e, c)])),
    options,
  );
  for (const [key, i] of Object.entries(bounds)) put(key, i);
  return out;
}
