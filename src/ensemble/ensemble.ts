import { parse } from 'yaml';
import { readTestPredictions, type TestPredictions } from '../compare/test-predictions.js';
import { CompareError } from '../compare/errors.js';
import type { Experiment } from '../config/schema.js';
import { ENSEMBLE_ARTIFACT, MODEL_ARTIFACT, SIGNATURE_ARTIFACT } from '../predict/load-model.js';
import { judgeEnsemble, meanProbabilities, type JudgedEnsemble } from '../runner/fold-ensemble.js';
import { asSplit } from '../runner/kfold-parent.js';
import { predictionsCsv, PREDICTIONS_ARTIFACT } from '../runner/predictions-csv.js';
import { ENSEMBLE_TAG, THRESHOLD_TAG, VERDICT_TAG } from '../runner/record.js';
import type { ModelSignature } from '../model/signature.js';
import { evaluationPlots, plotFiles, PLOT_ARTIFACT_DIR, reliabilityOf } from '../report/run-plots.js';
import { calibrationPlot } from '../report/plots/calibration.js';
import type { TrackingStore } from '../tracking/index.js';

export interface EnsembleManifest {
  format: 'exp-ensemble/1';
  /** How member outputs combine: the mean of their probabilities (each member with its own test-time views). */
  rule: 'mean';
  members: { runId: string; runName: string; model: string; signature: string }[];
}

/** Member i's files inside the ensemble run's model/ folder. */
const memberPath = (i: number, file: 'model.onnx' | 'signature.json'): string => `model/members/${i}/${file}`;

// Predictions carry files relative to the data folder; predictionsCsv takes them absolute, so they go through one root.
const ROOT = '/';

/** Where an ensemble experiment file logs its run (default: the first member's experiment), and what it adds to it. */
export interface EnsembleRunOptions {
  experiment?: string;
  params?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface EnsembleResult extends JudgedEnsemble {
  runId: string;
  members: { runId: string; runName: string }[];
}

/**
 * Averages finished runs into one: the mean of their validation and test probabilities (the
 * members must share both sets, checked as `exp compare` checks test sets), the threshold chosen
 * on validation as the first member's experiment says, judged against its targets. Logs a run of
 * its own in the first member's experiment: metrics with intervals, verdict, predictions.csv and a
 * model exp predict uses (every member's ONNX model and signature, and the averaging rule).
 */
export async function createEnsemble(store: TrackingStore, runIds: readonly string[], name: string, options: EnsembleRunOptions = {}): Promise<EnsembleResult> {
  if (runIds.length < 2) throw new CompareError('an ensemble needs at least two runs');
  if (new Set(runIds).size !== runIds.length) throw new CompareError('a run is named twice: an ensemble averages different runs');
  const members: { test: TestPredictions; validation: TestPredictions }[] = [];
  for (const id of runIds) members.push({ test: await readTestPredictions(store, id, 'test'), validation: await readTestPredictions(store, id, 'validation') });
  const align = (split: 'test' | 'validation') => {
    try {
      return meanProbabilities(members.map((m) => m[split]), split);
    } catch (e) {
      // Different validation sets: one member's validation images were another's training images (another seed or split).
      throw new CompareError(`${e instanceof Error ? e.message : String(e)}${split === 'validation' ? ' (a different train.seed draws a different validation split: set data.validation.seed to share one)' : ''}`);
    }
  };
  const [test, validation] = [align('test'), align('validation')];
  const first = await store.getRun(runIds[0]!);
  const config = parse(new TextDecoder().decode(await store.readArtifact(runIds[0]!, 'config.yaml'))) as Experiment;
  const judged = judgeEnsemble({ evaluate: config.evaluate, targets: config.targets, seed: config.train.seed, name }, test, validation, 'ensemble');

  const experimentId = options.experiment !== undefined ? await store.getOrCreateExperiment(options.experiment) : first.info.experimentId;
  const run = await store.createRun(experimentId, { runName: name, tags: { ...options.tags, [ENSEMBLE_TAG]: runIds.join(',') } });
  try {
    const timestamp = Date.now();
    await store.logBatch(run.runId, {
      params: { ...options.params, 'ensemble.members': runIds.join(','), 'ensemble.rule': 'mean' },
      metrics: Object.entries(judged.metrics).map(([key, value]) => ({ key, value, timestamp, step: 0 })),
      tags: {
        [VERDICT_TAG]: judged.verdict.pass ? 'PASS' : 'FAIL',
        ...(judged.threshold !== null ? { [THRESHOLD_TAG]: String(judged.threshold) } : {}),
        ...Object.fromEntries(judged.verdict.results.map((r) => [`exp.target.${r.name}`, r.pass ? 'PASS' : 'FAIL'])),
      },
    });
    await store.logArtifact(run.runId, 'config.yaml', new TextDecoder().decode(await store.readArtifact(runIds[0]!, 'config.yaml')));
    const splits = [
      { name: 'validation' as const, ...asSplit(ROOT, judged.validation) },
      { name: 'test' as const, ...asSplit(ROOT, judged.test) },
    ];
    await store.logArtifact(run.runId, PREDICTIONS_ARTIFACT, predictionsCsv({ dataDir: ROOT, classes: test.classes, threshold: judged.threshold, splits }));
    const manifest: EnsembleManifest = { format: 'exp-ensemble/1', rule: 'mean', members: [] };
    let signature: ModelSignature | undefined;
    for (const [i, id] of runIds.entries()) {
      const memberSignature = JSON.parse(new TextDecoder().decode(await store.readArtifact(id, SIGNATURE_ARTIFACT))) as ModelSignature;
      signature ??= memberSignature;
      await store.logArtifact(run.runId, memberPath(i, 'model.onnx'), await store.readArtifact(id, MODEL_ARTIFACT));
      await store.logArtifact(run.runId, memberPath(i, 'signature.json'), `${JSON.stringify(memberSignature, null, 2)}\n`);
      manifest.members.push({ runId: id, runName: members[i]!.test.runName, model: memberPath(i, 'model.onnx'), signature: memberPath(i, 'signature.json') });
    }
    // The ensemble's own signature: the members' input and classes, its threshold; each member applies its own views.
    await store.logArtifact(run.runId, SIGNATURE_ARTIFACT, `${JSON.stringify({ ...signature!, threshold: judged.threshold, tta: [] }, null, 2)}\n`);
    await store.logArtifact(run.runId, ENSEMBLE_ARTIFACT, `${JSON.stringify(manifest, null, 2)}\n`);
    // The plots a test evaluation gives and the reliability of the averaged probabilities (no learning
    // curves: the ensemble trained nothing; no predictions grid: the ensemble holds no images).
    const plots = plotFiles({
      ...(await evaluationPlots(judged.evaluation, test.classes, judged.choice)),
      'calibration.png': await calibrationPlot({ series: [reliabilityOf('ensemble', judged.test.probabilities, judged.test.labels, test.classes.length)], n: judged.evaluation.n }),
    });
    for (const [file, data] of Object.entries(plots)) await store.logArtifact(run.runId, `${PLOT_ARTIFACT_DIR}/${file}`, data);
    await store.updateRun(run.runId, 'FINISHED', Date.now());
  } catch (e) {
    await store.logBatch(run.runId, { tags: { 'exp.error': (e instanceof Error ? e.message : String(e)).slice(0, 4000) } }).catch(() => undefined);
    await store.updateRun(run.runId, 'FAILED', Date.now()).catch(() => undefined);
    throw e;
  }
  return { ...judged, runId: run.runId, members: members.map((m) => ({ runId: m.test.runId, runName: m.test.runName })) };
}
