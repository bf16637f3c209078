import path from 'node:path';
import { readTestPredictions } from '../compare/test-predictions.js';
import type { ValidatedExperiment } from '../config/validate.js';
import { headFor } from '../model/head.js';
import type { TrackingStore } from '../tracking/index.js';
import { foldEnsemble, type JudgedEnsemble } from './fold-ensemble.js';
import { foldMeanSd } from './fold-stats.js';
import { predictionsCsv, PREDICTIONS_ARTIFACT } from './predictions-csv.js';
import { THRESHOLD_TAG, VERDICT_TAG } from './record.js';

/** Predictions as predictionsCsv takes a split: absolute files, labels, outputs [n, units] (one unit with two classes). */
export function asSplit(dataDir: string, p: JudgedEnsemble['test']) {
  const { positive } = headFor(p.classes.length);
  return {
    split: { files: p.files.map((f) => path.join(dataDir, ...f.split('/'))), y: Int32Array.from(p.labels), count: p.labels.length },
    outputs: Float32Array.from(p.probabilities.flatMap((r) => (positive !== null ? [r[positive]!] : r))),
  };
}

/**
 * Logs a finished k-fold cross-validation on its parent run: the mean and sd over the folds of
 * every test and kept-epoch validation metric (`test_accuracy_mean`, `test_accuracy_sd`), and
 * as the parent's own result the fold-ensemble's metrics, verdict and predictions.csv (so
 * `exp compare` takes the parent like any run). Returns the metrics logged.
 */
export async function finishKfold(store: TrackingStore, parentRunId: string, exp: ValidatedExperiment, foldRunIds: readonly string[]): Promise<{ metrics: Record<string, number>; verdict: 'PASS' | 'FAIL' }> {
  const folds = await Promise.all(foldRunIds.map((id) => store.getRun(id)));
  const stats = foldMeanSd(folds.map((r) => r.data.metrics));
  const predictions = [];
  for (const id of foldRunIds) predictions.push({ test: await readTestPredictions(store, id, 'test'), validation: await readTestPredictions(store, id, 'validation') });
  const ensemble = foldEnsemble(exp, predictions);
  const metrics = { ...stats, ...ensemble.metrics };
  const timestamp = Date.now();
  const verdict = ensemble.verdict.pass ? 'PASS' : 'FAIL';
  await store.logBatch(parentRunId, {
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp, step: 0 })),
    tags: {
      [VERDICT_TAG]: verdict,
      ...(ensemble.threshold !== null ? { [THRESHOLD_TAG]: String(ensemble.threshold) } : {}),
      ...Object.fromEntries(ensemble.verdict.results.map((r) => [`exp.target.${r.name}`, r.pass ? 'PASS' : 'FAIL'])),
    },
  });
  const splits = [
    { name: 'validation' as const, ...asSplit(exp.dataDir, ensemble.validation) },
    { name: 'test' as const, ...asSplit(exp.dataDir, ensemble.test) },
  ];
  await store.logArtifact(parentRunId, PREDICTIONS_ARTIFACT, predictionsCsv({ dataDir: exp.dataDir, classes: ensemble.test.classes, threshold: ensemble.threshold, splits }));
  return { metrics, verdict };
}
