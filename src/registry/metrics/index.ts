import { closest } from '../../config/suggest.js';
import { classKey } from '../../data/class-keys.js';
import { Registry } from '../registry.js';
import { accuracy } from './accuracy.js';
import { auc } from './auc.js';
import { balancedAccuracy } from './balanced-accuracy.js';
import { brier } from './brier.js';
import { ece } from './ece.js';
import { f1 } from './f1.js';
import { loss } from './loss.js';
import { macroF1 } from './macro-f1.js';
import type { Metric, MetricUse } from './metric.js';
import { minClassRecall } from './min-class-recall.js';
import { prAuc } from './pr-auc.js';
import { precision } from './precision.js';
import { recall } from './recall.js';
import { specificity } from './specificity.js';
import { youden } from './youden.js';

export type { CiMethod, Metric, MetricInput, MetricUse } from './metric.js';

/** In the order lists show them: the headline figures first. */
const ORDERED = [accuracy, balancedAccuracy, auc, prAuc, recall, precision, f1, specificity, macroF1, youden, minClassRecall, brier, ece, loss];

export const metrics = new Registry<Metric>('metric');
for (const m of ORDERED) metrics.register(m);

/** Names of the metrics an experiment may name in one place, in list order. */
export const metricNames = (use: MetricUse): string[] => ORDERED.filter((m) => m.uses.includes(use)).map((m) => m.name);

/** The training loop logs epoch metrics on validation and train. */
const EPOCH_SPLITS = ['val_', 'train_'] as const;

/** What callbacks may monitor: `val_loss`, `train_accuracy`, ... */
export const epochMetricKeys = (): string[] => EPOCH_SPLITS.flatMap((split) => metricNames('epoch').reverse().map((name) => `${split}${name}`));

/**
 * How logged metric keys are formed: `test_<metric>` on the test set, `best_val_<metric>` on
 * validation at the kept epoch, `train_`/`val_` for the per-epoch histories; per-class metrics
 * end in `_<CLASS>`, intervals in `_ci_low`/`_ci_high`, a cross-validation's fold mean in `_mean`.
 */
const PREFIXES = ['best_val_', 'test_', 'train_', 'val_'] as const;
/** Intervals, and the mean over the folds a cross-validation parent logs. */
const KEY_SUFFIX = /_(ci_(low|high)|mean)$/;

/** Whether a logged key is an interval bound or a fold statistic (`test_recall_A_ci_low`, `_mean`, `_sd`), not the value itself. */
export const isSummaryKey = (key: string): boolean => /_(ci_(low|high)|mean|sd)$/.test(key);

/** The metric a logged key measures, or undefined when the key is not a metric's (kept_epoch, train_seconds). */
export function metricOfKey(key: string, classes: readonly string[]): Metric | undefined {
  const prefix = PREFIXES.find((p) => key.startsWith(p));
  if (prefix === undefined) return undefined;
  const rest = key.slice(prefix.length).replace(KEY_SUFFIX, '');
  if (metrics.has(rest) && !metrics.get(rest).perClass) return metrics.get(rest);
  for (const m of metrics.entries()) {
    if (m.perClass && classes.some((c) => rest === `${m.name}_${classKey(c)}`)) return m;
  }
  return undefined;
}

/** Every key a run may log for these classes, for suggestions. */
export function metricKeys(classes: readonly string[]): string[] {
  const bases = metrics.entries().flatMap((m) => (m.perClass ? classes.map((c) => `${m.name}_${classKey(c)}`) : [m.name]));
  return PREFIXES.flatMap((p) => bases.map((b) => `${p}${b}`));
}

/** Raised for a key that names no metric; says the closest one. */
export class UnknownMetricError extends Error {
  override name = 'UnknownMetricError';
  constructor(key: string, known: readonly string[]) {
    const guess = closest(key, [...known]);
    super(`'${key}' is not a metric exp logs${guess ? ` (did you mean '${guess}'?)` : ''}; metrics are <split>_<metric>[_<CLASS>] with split one of ${PREFIXES.map((p) => p.slice(0, -1)).join(', ')} and metric one of ${metrics.names().join(', ')}`);
  }
}

/** The metric of a key, or UnknownMetricError. */
export function requireMetricOfKey(key: string, classes: readonly string[]): Metric {
  const m = metricOfKey(key, classes);
  if (!m) throw new UnknownMetricError(key, metricKeys(classes));
  return m;
}
