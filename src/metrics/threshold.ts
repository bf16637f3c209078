import { binaryCounts, type BinaryCounts } from './binary-counts.js';
import { metricsFromConfusion, type ClassificationMetrics } from './classification.js';
import { checkLabels } from './confusion.js';
import { metricNames, metrics } from '../registry/metrics/index.js';
import { normalizeProbabilities, type Probabilities } from './probabilities.js';
import { headFor } from '../model/head.js';

/**
 * What the threshold search maximizes: a registered metric with the `threshold` use; a
 * per-class one (`f1`) is the positive (second) class's.
 */
export type ThresholdObjective = string;

/** Field names follow the YAML config. */
export interface ThresholdSpec {
  maximize: ThresholdObjective;
  /** keep only thresholds where every class's recall is at least this */
  min_class_recall?: number;
  /**
   * Among thresholds within this much of the best objective, take the one closest to 0.5
   * (a one-standard-error rule): a small validation set cannot tell them apart, and with
   * class-weighted training 0.5 is the neutral decision.
   */
  tolerance?: number;
}

export interface ThresholdSweepPoint {
  threshold: number;
  accuracy: number;
  balancedAccuracy: number;
  /** indexed by class */
  recall: number[];
  /** value of the maximized metric */
  objective: number;
  /** every class's recall >= min_class_recall */
  feasible: boolean;
}

export interface ThresholdChoice {
  threshold: number;
  maximize: ThresholdObjective;
  /** maximized metric at the chosen threshold */
  objective: number;
  minClassRecall: number | null;
  constraintMet: boolean;
  /** why the constraint could not be met; null when it was */
  message: string | null;
  /** validation metrics at the chosen threshold */
  metrics: ClassificationMetrics;
  /** every candidate, ascending threshold, for plotting */
  sweep: ThresholdSweepPoint[];
}

interface Candidate extends ThresholdSweepPoint {
  metrics: ClassificationMetrics;
  minRecall: number;
}

/** Metric values closer than this count as equal, so float noise cannot break ties. */
const TIE = 1e-12;


/**
 * Candidate thresholds: every distinct probability, the midpoint between each
 * pair of neighbours (same split as the upper one, but with a margin on both
 * sides), and the midpoint between the highest probability and 1 (nothing
 * positive). Paired with the index into counts whose split they give; -1 is
 * the empty split.
 */
function candidates(counts: BinaryCounts): Array<[number, number]> {
  const v = counts.thresholds;
  const out: Array<[number, number]> = [];
  if (v.length > 0 && v[0] < 1) out.push([(v[0] + 1) / 2, -1]);
  v.forEach((t, i) => {
    if (i > 0) {
      const mid = (v[i - 1] + t) / 2;
      // Guard against neighbours so close that the midpoint rounds onto one of them.
      if (mid > t && mid < v[i - 1]) out.push([mid, i - 1]);
    }
    out.push([t, i]);
  });
  return out;
}

/** Lexicographic: first differing key (beyond TIE) decides; true when a is better. */
function better(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i] - b[i]) > TIE) return a[i] > b[i];
  }
  return false;
}

function formatNumber(x: number): string {
  return String(Number(x.toFixed(4)));
}

/**
 * Chooses the binary decision threshold (probability of the second class >= t
 * -> second class) on a validation set. Among candidates whose every class
 * recall meets min_class_recall, takes the best by `maximize`; ties go to the
 * threshold closest to 0.5, then the lower one. When no candidate meets the
 * constraint, falls back to the one with the highest worst-class recall
 * (then by `maximize`, then as above), with constraintMet false and a message.
 * Only for 2 classes: with K > 2 prediction is argmax and takes no threshold.
 */
export function chooseThreshold(
  probabilities: Probabilities,
  labels: ArrayLike<number>,
  spec: ThresholdSpec,
  classes: readonly string[] = ['class 0', 'class 1'],
): ThresholdChoice {
  const { positive } = headFor(classes.length);
  if (positive === null) {
    throw new Error(`a decision threshold needs exactly 2 classes, got ${classes.length}; with more, prediction is argmax`);
  }
  const objectives = metricNames('threshold');
  if (!objectives.includes(spec.maximize)) {
    throw new Error(`unknown threshold objective "${spec.maximize}"; known: ${objectives.join(', ')}`);
  }
  const objective = metrics.get(spec.maximize);
  const minClassRecall = spec.min_class_recall ?? null;
  if (minClassRecall !== null && !(minClassRecall >= 0 && minClassRecall <= 1)) {
    throw new Error(`min_class_recall must be in [0, 1], got ${minClassRecall}`);
  }
  checkLabels(labels, 2);
  const probs = normalizeProbabilities(probabilities, labels.length, 2);
  if (probs.kind !== 'binary') throw new Error('unreachable: 2 classes normalize to binary');
  const counts = binaryCounts(probs.positive, Array.from(labels, (l) => l === positive));

  const all = candidates(counts).map(([threshold, i]): Candidate => {
    const tp = i < 0 ? 0 : counts.tp[i];
    const fp = i < 0 ? 0 : counts.fp[i];
    const metrics = metricsFromConfusion([
      [counts.negatives - fp, fp],
      [counts.positives - tp, tp],
    ]);
    const recall = metrics.perClass.map((c) => c.recall);
    const minRecall = Math.min(...recall);
    return {
      threshold,
      accuracy: metrics.accuracy,
      balancedAccuracy: metrics.balancedAccuracy,
      recall,
      objective: objective.compute(metrics, 1),
      feasible: minClassRecall === null || minRecall >= minClassRecall,
      metrics,
      minRecall,
    };
  });
  if (all.length === 0) throw new Error('cannot choose a threshold on an empty validation set');

  const feasible = all.filter((c) => c.feasible);
  const constraintMet = feasible.length > 0;
  const tieBreak = (c: Candidate): number[] => [-Math.abs(c.threshold - 0.5), -c.threshold];
  const key = constraintMet
    ? (c: Candidate): number[] => [c.objective, ...tieBreak(c)]
    : (c: Candidate): number[] => [c.minRecall, c.objective, ...tieBreak(c)];
  const pool = constraintMet ? feasible : all;
  const top = pool.reduce((a, b) => (better(key(b), key(a)) ? b : a));
  const tolerance = spec.tolerance ?? 0;
  const best = constraintMet && tolerance > 0
    ? feasible.filter((c) => c.objective >= top.objective - tolerance - TIE).reduce((a, b) => (better(tieBreak(b), tieBreak(a)) ? b : a))
    : top;

  const worst = classes[best.recall.indexOf(best.minRecall)];
  return {
    threshold: best.threshold,
    maximize: spec.maximize,
    objective: best.objective,
    minClassRecall,
    constraintMet,
    message: constraintMet
      ? null
      : `no threshold gives every class a validation recall >= ${formatNumber(minClassRecall ?? 0)}; ` +
        `using ${formatNumber(best.threshold)}, where the worst recall is ${formatNumber(best.minRecall)} (${worst})`,
    metrics: best.metrics,
    sweep: all
      .map(({ threshold, accuracy, balancedAccuracy, recall, objective, feasible: ok }) =>
        ({ threshold, accuracy, balancedAccuracy, recall, objective, feasible: ok }))
      .sort((a, b) => a.threshold - b.threshold),
  };
}
