import { Type } from '@sinclair/typebox';
import type { ClassificationMetrics } from '../../metrics/classification.js';
import type { ConfusionMatrix } from '../../metrics/confusion.js';
import type { Entry } from '../registry.js';

/** Where an experiment may name a metric. */
export type MetricUse = 'target' | 'threshold' | 'epoch';

/**
 * How a metric's confidence interval is computed: Wilson's score interval for a proportion
 * of counts, a stratified bootstrap for the rest, none for what is not measured on test.
 */
export type CiMethod = 'wilson' | 'bootstrap' | 'none';

/** What a metric is computed from: the confusion-derived figures, and where known the ranking and calibration ones. */
export interface MetricInput extends ClassificationMetrics {
  auc?: number;
  prAuc?: number;
  brier?: number;
  ece?: number;
}

/** One registered metric: everything that names, orders, judges or bounds it reads it from here. */
export interface Metric extends Entry {
  /** one value per class, named `<metric>_<CLASS>`; as a target without a class it means every class */
  readonly perClass: boolean;
  readonly direction: 'higher' | 'lower';
  readonly ci: CiMethod;
  readonly uses: readonly MetricUse[];
  /** The value; per-class metrics of class `classIndex` (the positive class, 1, as a threshold objective). NaN when the input lacks it. */
  compute(m: MetricInput, classIndex: number): number;
  /** For Wilson intervals: [successes, trials] of the proportion. */
  proportion?(confusion: ConfusionMatrix, classIndex: number): [number, number];
}

/** Declares a metric; metrics take no params. */
export function metric(def: Omit<Metric, 'params'>): Metric {
  return { ...def, params: Type.Object({}, { additionalProperties: false }) };
}

/** Row sum (true class c) and column sum (predicted class c) of a confusion matrix. */
export const trueCount = (m: ConfusionMatrix, c: number): number => m[c]!.reduce((a, b) => a + b, 0);
export const predictedCount = (m: ConfusionMatrix, c: number): number => m.reduce((a, row) => a + row[c]!, 0);
export const total = (m: ConfusionMatrix): number => m.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0);
