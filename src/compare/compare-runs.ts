import { classKeys } from '../data/class-keys.js';
import { classificationMetrics } from '../metrics/classification.js';
import { normalizeProbabilities, type NormalizedProbabilities } from '../metrics/probabilities.js';
import { rankingMetrics } from '../metrics/ranking.js';
import { metrics as registry } from '../registry/metrics/index.js';
import type { MetricInput } from '../registry/metrics/metric.js';
import { CompareError } from './errors.js';
import { mcnemarExact } from './mcnemar.js';
import { pairedBootstrap, type PairedBootstrapOptions, type PairedDifference } from './paired-bootstrap.js';
import type { TestPredictions } from './test-predictions.js';

/** One metric compared: b minus a, its interval, p and the test that gave p. */
export interface MetricComparison extends PairedDifference {
  /** `accuracy`, `auc`, `recall_<CLASS KEY>`, as the run's metric keys name them after `test_`. */
  key: string;
  /** How a sentence names it: `accuracy`, `AUC`, `NORMAL recall`. */
  label: string;
  a: number;
  b: number;
  test: 'mcnemar' | 'paired bootstrap';
  direction: 'higher' | 'lower';
}

export interface Comparison {
  images: number;
  /** Images only a gets right, and only b. */
  discordant: { aOnly: number; bOnly: number };
  metrics: MetricComparison[];
}

/**
 * b's predictions in a's file order, or a CompareError naming how the two test sets differ
 * (classes, files, or a file's true class): differences on two test sets mean nothing.
 */
export function alignTestSets(a: TestPredictions, b: TestPredictions, split: 'test' | 'validation' = 'test'): TestPredictions {
  const who = (p: TestPredictions): string => `${p.runName} (${p.runId})`;
  if (a.classes.join('\n') !== b.classes.join('\n')) throw new CompareError(`the runs have different classes: ${who(a)} ${a.classes.join(', ')}; ${who(b)} ${b.classes.join(', ')}`);
  const at = new Map(b.files.map((f, i) => [f, i]));
  const missing = a.files.filter((f) => !at.has(f));
  const extra = b.files.length - (a.files.length - missing.length);
  if (missing.length || extra) {
    const example = missing[0] ?? b.files.find((f) => !a.files.includes(f));
    throw new CompareError(`the runs were ${split === 'test' ? 'tested' : 'validated'} on different ${split} sets (${a.files.length} vs ${b.files.length} images, ${missing.length + extra} not in both, e.g. ${example}): only runs on the same ${split} set can be compared`);
  }
  const order = a.files.map((f) => at.get(f)!);
  const differs = order.findIndex((j, i) => b.labels[j] !== a.labels[i]);
  if (differs >= 0) throw new CompareError(`the runs' ${split} sets label ${a.files[differs]} differently (${a.classes[a.labels[differs]!]} vs ${b.classes[b.labels[order[differs]!]!]}): not the same ${split} set`);
  const pick = <T>(xs: T[]): T[] => order.map((j) => xs[j]!);
  return { ...b, files: [...a.files], labels: pick(b.labels), predicted: pick(b.predicted), probabilities: pick(b.probabilities) };
}

/** The figures the registry computes its metrics from, on the picked images. */
function scorer(p: TestPredictions): (picked: readonly number[], withAuc: boolean) => MetricInput {
  const k = p.classes.length;
  const probs = normalizeProbabilities(p.probabilities, p.labels.length, k);
  const subset = (picked: readonly number[]): NormalizedProbabilities =>
    probs.kind === 'binary' ? { kind: 'binary', positive: Float64Array.from(picked, (i) => probs.positive[i]!) } : { kind: 'multiclass', rows: picked.map((i) => probs.rows[i]!) };
  return (picked, withAuc) => {
    const labels = picked.map((i) => p.labels[i]!);
    const m = classificationMetrics(labels, picked.map((i) => p.predicted[i]!), k);
    return withAuc ? { ...m, auc: rankingMetrics(subset(picked), labels).auc } : m;
  };
}

/**
 * Compares two runs on one test set: accuracy by McNemar's exact test on the images only one
 * of them gets right, AUC and each class's recall by a paired bootstrap (the intervals of all
 * three from the same bootstrap). Every difference is b minus a.
 */
export function compareRuns(a: TestPredictions, bAny: TestPredictions, options: PairedBootstrapOptions = {}): Comparison {
  const b = alignTestSets(a, bAny);
  const wanted = [
    { key: 'accuracy', label: 'accuracy', metric: registry.get('accuracy'), c: 0 },
    { key: 'auc', label: 'AUC', metric: registry.get('auc'), c: 0 },
    ...classKeys(a.classes).map((key, c) => ({ key: `recall_${key}`, label: `${a.classes[c]!} recall`, metric: registry.get('recall'), c })),
  ];
  const [scoreA, scoreB] = [scorer(a), scorer(b)];
  const all = a.labels.map((_, i) => i);
  const [fullA, fullB] = [scoreA(all, true), scoreB(all, true)];
  const boot = pairedBootstrap(
    a.labels,
    a.classes.length,
    (picked) => {
      const [ma, mb] = [scoreA(picked, true), scoreB(picked, true)];
      return Object.fromEntries(wanted.map((w) => [w.key, w.metric.compute(mb, w.c) - w.metric.compute(ma, w.c)]));
    },
    options,
  );
  let aOnly = 0;
  let bOnly = 0;
  a.labels.forEach((l, i) => {
    const [ra, rb] = [a.predicted[i] === l, b.predicted[i] === l];
    if (ra && !rb) aOnly++;
    if (rb && !ra) bOnly++;
  });
  return {
    images: a.labels.length,
    discordant: { aOnly, bOnly },
    metrics: wanted.map((w) => ({
      ...boot[w.key]!,
      key: w.key,
      label: w.label,
      a: w.metric.compute(fullA, w.c),
      b: w.metric.compute(fullB, w.c),
      ...(w.key === 'accuracy' ? { p: mcnemarExact(aOnly, bOnly), test: 'mcnemar' as const } : { test: 'paired bootstrap' as const }),
      direction: w.metric.direction,
    })),
  };
}
