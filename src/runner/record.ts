import { stringify } from 'yaml';
import type { ValidatedExperiment } from '../config/validate.js';
import { classKey } from '../data/class-keys.js';
import { buildInferenceGraph } from '../engine/onnx/build.js';
import { tfjsModelFiles } from '../engine/tfjs/export.js';
import { plainSpec } from '../model/spec.js';
import { formatSummary } from '../model/summary.js';
import { PLOT_ARTIFACT_DIR, renderRunPlots } from '../report/run-plots.js';
import type { Metric, RunStatus, TrackingStore } from '../tracking/index.js';
import { removeCheckpoints, saveCheckpoint } from './checkpoint.js';
import { flattenParams } from './flatten.js';
import type { Checkpoint, EpochRecord } from '../train/loop.js';
import { configHash, IDENTITY_TAG, KFOLD_IDENTITY_TAG, SWEEP_IDENTITY_TAG } from './identity.js';
import { ownerTags } from './owner.js';
import { provenanceTags } from './provenance.js';
import type { RunOutcome, StartInfo } from './run-experiment.js';
import { MODEL_DIR, mlflowModelFiles } from './mlflow-model.js';
import { predictionsCsv, PREDICTIONS_ARTIFACT } from './predictions-csv.js';
import { modelSignature } from '../model/signature.js';
import { SPLIT_ARTIFACT, splitJson } from './split-manifest.js';
import { END_REASON_TAG } from './stale-runs.js';
import { formatPretrained } from '../pretrained/match.js';

/** What model.pretrained loaded into the model and what not, weight by weight. */
export const PRETRAINED_ARTIFACT = 'pretrained.txt';

/** The engine-neutral model graph (src/model/spec.ts) the weights in model/model.onnx belong to: what Grad-CAM differentiates. */
export const MODEL_SPEC_ARTIFACT = 'model/spec.json';

const EPOCH_KEYS = ['train_loss', 'val_loss', 'train_accuracy', 'val_accuracy', 'lr'] as const;

const pointKey = (m: Metric): string => `${m.key}@${m.step}`;

/** An epoch's points, stamped with the time the epoch ended (MLflow's time axis), not when they were sent. */
function epochMetrics(logs: EpochRecord): Metric[] {
  const at = { timestamp: Math.round(logs.endedAt), step: logs.epoch };
  return [...EPOCH_KEYS.map((key) => ({ key, value: logs[key], ...at })), { key: 'epoch_seconds', value: logs.seconds, ...at }];
}

/** PASS or FAIL: whether the run met every target. */
export const VERDICT_TAG = 'exp.verdict';
/** The final metrics, judged on the test split, are `test_<metric>`. */
export const TEST_METRIC_PREFIX = 'test_';
/** Validation metrics at the kept epoch, what runs are chosen by. */
export const VAL_RESULT_PREFIX = 'best_val_';

/** The decision threshold the run used (chosen on validation, or the configured number). */
export const THRESHOLD_TAG = 'exp.threshold';

/** The temperature a calibrated run fitted on validation (`evaluate.calibrate: temperature`), also its metric `temperature`. */
export const TEMPERATURE_TAG = 'exp.temperature';

/** Marks a sweep's parent run, which has children rather than metrics of its own. */
export const SWEEP_TAG = 'exp.sweep';

/** The experiment file a run was made from and its `--set` overrides (a JSON list): how `exp resume` and `exp rank` find its command again. */
export const FILE_TAG = 'exp.file';
export const SETS_TAG = 'exp.sets';

/** Marks an ensemble run (src/ensemble); its value lists the members' run ids. */
export const ENSEMBLE_TAG = 'exp.ensemble';

/** MLflow's link from a sweep's trial or a fold to its parent run. */
export const PARENT_TAG = 'mlflow.parentRunId';

/** Logs one run to a tracking store as MLflow's own clients would, while it happens. */
export class RunRecorder {
  private constructor(
    readonly store: TrackingStore,
    readonly runId: string,
    readonly experimentId: string,
    private readonly exp: ValidatedExperiment,
    /** Continued from a checkpoint: what an earlier process logged must not be logged again. */
    private readonly reopened = false,
    /** `key@step` of the epoch points already in the store. */
    private readonly logged = new Set<string>(),
  ) {}

  /** Creates the run (RUNNING) with the resolved experiment as params and provenance tags. */
  static async start(store: TrackingStore, exp: ValidatedExperiment, links: { identity?: string; parentRunId?: string } = {}): Promise<RunRecorder> {
    const c = exp.config;
    const experimentId = await store.getOrCreateExperiment(c.experiment);
    const run = await store.createRun(experimentId, {
      runName: c.name,
      tags: {
        ...provenanceTags(exp.file),
        ...ownerTags(),
        'exp.config_hash': configHash(exp),
        // How `exp resume` finds this run's experiment again.
        [FILE_TAG]: exp.file,
        [SETS_TAG]: JSON.stringify(exp.sets),
        ...(links.identity ? { [IDENTITY_TAG]: links.identity } : {}),
        ...(links.parentRunId ? { [PARENT_TAG]: links.parentRunId } : {}),
        ...(c.description ? { 'mlflow.note.content': c.description } : {}),
      },
    });
    const recorder = new RunRecorder(store, run.runId, experimentId, exp);
    const { $schema: _schema, ...config } = c;
    try {
      await store.logBatch(run.runId, { params: flattenParams(config) });
      await store.logArtifact(run.runId, 'config.yaml', stringify(config));
    } catch (e) {
      await recorder.end('FAILED', e).catch(() => undefined);
      throw e;
    }
    return recorder;
  }

  /**
   * Takes an interrupted run up again (RUNNING), to continue it from its checkpoint. The epochs
   * the checkpoint holds whose points did not reach the store (the process died between the
   * checkpoint and the metrics) are logged now, with their own end times: each step once.
   */
  static async reopen(store: TrackingStore, runId: string, exp: ValidatedExperiment, checkpoint: Checkpoint): Promise<RunRecorder> {
    const run = await store.getRun(runId);
    await store.logBatch(runId, { tags: ownerTags() });
    await store.updateRun(runId, 'RUNNING');
    const wanted = checkpoint.history.flatMap(epochMetrics);
    const logged = new Set<string>();
    for (const key of new Set(wanted.map((m) => m.key))) {
      for (const m of await store.getMetricHistory(runId, key)) logged.add(pointKey(m));
    }
    const missing = wanted.filter((m) => !logged.has(pointKey(m)));
    if (missing.length) await store.logBatch(runId, { metrics: missing });
    for (const m of missing) logged.add(pointKey(m));
    return new RunRecorder(store, runId, run.info.experimentId, exp, true, logged);
  }

  /** Keeps the state after each epoch with the run, so an interrupted run can continue from anywhere. */
  checkpoint(checkpoint: Checkpoint): Promise<void> {
    return saveCheckpoint(this.store, this.runId, checkpoint);
  }

  async started(info: StartInfo): Promise<void> {
    await this.store.logBatch(this.runId, {
      params: {
        ...Object.fromEntries(info.classes.map((name, i) => [`class_weight.${classKey(name)}`, String(info.classWeights[i])])),
        ...(info.groups ? Object.fromEntries(Object.entries(info.groups).map(([split, n]) => [`data.groups.${split}`, String(n)])) : {}),
      },
      tags: { 'exp.engine': info.engine.name, 'exp.backend': info.engine.backend, 'exp.device': info.engine.device, 'exp.data.fingerprint': info.fingerprint },
    });
    // At the start, so a run that fails later can still be audited.
    await this.store.logArtifact(this.runId, SPLIT_ARTIFACT, splitJson(info.split));
    if (info.pretrained) {
      const { loaded, notLoaded } = info.pretrained;
      await this.store.logBatch(this.runId, { params: { 'pretrained.loaded': `${loaded.length} of ${loaded.length + notLoaded.length} weights` } });
      await this.store.logArtifact(this.runId, PRETRAINED_ARTIFACT, `${formatPretrained(info.pretrained)}\n`);
    }
  }

  /**
   * An epoch's metrics. One trained again after a resume from an older checkpoint (the newer one
   * was damaged) keeps the points logged the first time: the same values, as training is deterministic.
   */
  async epoch(logs: EpochRecord): Promise<void> {
    const metrics = epochMetrics(logs).filter((m) => !this.logged.has(pointKey(m)));
    if (metrics.length) await this.store.logBatch(this.runId, { metrics });
  }

  /** Final metrics, verdict, artifacts (config, model, signature, metrics) and FINISHED. */
  async finish(outcome: RunOutcome): Promise<void> {
    const timestamp = Date.now();
    const { verdict } = outcome;
    const values: Record<string, number> = {
      ...outcome.metrics,
      kept_epoch: outcome.fit.keptEpoch,
      data_seconds: outcome.seconds.data,
      train_seconds: outcome.seconds.train,
      total_seconds: outcome.seconds.total,
      ...(outcome.threshold.value !== null ? { threshold: outcome.threshold.value } : {}),
      ...(outcome.calibration ? { temperature: outcome.calibration.temperature } : {}),
    };
    // A run that died after logging its final metrics and before FINISHED logs them only once.
    const before = this.reopened ? (await this.store.getRun(this.runId)).data.metrics : {};
    await this.store.logBatch(this.runId, {
      metrics: Object.entries(values)
        .filter(([key]) => !(key in before))
        .map(([key, value]) => ({ key, value, timestamp, step: 0 })),
      // The threshold is a result, not a setting: a metric to plot and compare, a tag to read at a glance.
      tags: {
        ...(outcome.threshold.value !== null ? { [THRESHOLD_TAG]: String(outcome.threshold.value) } : {}),
        ...(outcome.calibration ? { [TEMPERATURE_TAG]: String(outcome.calibration.temperature) } : {}),
        [VERDICT_TAG]: verdict.pass ? 'PASS' : 'FAIL',
        ...Object.fromEntries(verdict.results.map((r) => [`exp.target.${r.name}`, r.pass ? 'PASS' : 'FAIL'])),
        ...(outcome.dataset.skipped.length ? { 'exp.data.skipped': String(outcome.dataset.skipped.length) } : {}),
      },
    });
    const files = await tfjsModelFiles(outcome.model, outcome.weights);
    const signature = modelSignature(outcome.model, this.exp.config, outcome.dataset.classes, outcome.threshold.value, outcome.calibration?.temperature ?? null);
    await this.store.logArtifact(this.runId, 'model/model.json', files['model.json']);
    await this.store.logArtifact(this.runId, 'model/weights.bin', files['weights.bin']);
    await this.store.logArtifact(this.runId, 'model/summary.txt', `${formatSummary(outcome.model)}\n`);
    await this.store.logArtifact(this.runId, 'model/signature.json', `${JSON.stringify(signature, null, 2)}\n`);
    // The same weights as a plain ONNX inference model, deployable wherever ONNX runs.
    await this.store.logArtifact(this.runId, 'model/model.onnx', buildInferenceGraph(outcome.model, outcome.weights));
    // ... and the graph it was built from, which Grad-CAM differentiates (src/explain/onnx-gradient.ts).
    await this.store.logArtifact(this.runId, MODEL_SPEC_ARTIFACT, `${JSON.stringify(plainSpec(outcome.model))}\n`);
    // ... and as an MLflow Model, so MLflow lists it and `mlflow.pyfunc.load_model('runs:/<id>/model')` loads it.
    const mlflowModel = mlflowModelFiles(this.runId, signature);
    for (const [file, text] of Object.entries(mlflowModel.files)) await this.store.logArtifact(this.runId, `${MODEL_DIR}/${file}`, text);
    await this.store.logBatch(this.runId, { tags: { 'mlflow.log-model.history': mlflowModel.historyTag } });
    const { classes, val, test } = outcome.dataset;
    const splits = [{ name: 'validation' as const, split: val, outputs: outcome.valOutputs }, { name: 'test' as const, split: test, outputs: outcome.testOutputs }];
    await this.store.logArtifact(this.runId, PREDICTIONS_ARTIFACT, predictionsCsv({ dataDir: this.exp.dataDir, classes, threshold: outcome.threshold.value, splits }));
    const plots = await renderRunPlots(outcome);
    for (const [file, data] of Object.entries(plots)) await this.store.logArtifact(this.runId, `${PLOT_ARTIFACT_DIR}/${file}`, data);
    const summary = { plots: Object.keys(plots).map((f) => `${PLOT_ARTIFACT_DIR}/${f}`), metrics: values, verdict, history: outcome.fit.history, skipped: outcome.dataset.skipped, engine: outcome.engine };
    await this.store.logArtifact(this.runId, 'metrics.json', `${JSON.stringify(summary, null, 2)}\n`);
    await this.store.updateRun(this.runId, 'FINISHED', Date.now());
    // After FINISHED, so a process dying before it can still be resumed; the model is in model/.
    // The run is recorded by now: checkpoints the store will not delete only take room, so say so on the run.
    await removeCheckpoints(this.store, this.runId).catch((e: unknown) =>
      this.store.logBatch(this.runId, { tags: { 'exp.checkpoints': `kept: ${e instanceof Error ? e.message : String(e)}`.slice(0, 4000) } }).catch(() => undefined),
    );
  }

  /**
   * Closes the run as FAILED (with the error as `exp.error`) or KILLED (with what killed it as
   * `exp.end_reason`: a signal, a closed stdout); never leaves it RUNNING.
   */
  async end(status: Extract<RunStatus, 'FAILED' | 'KILLED'>, cause?: unknown): Promise<void> {
    if (cause !== undefined) {
      const message = cause instanceof Error ? cause.message : String(cause);
      const key = status === 'FAILED' ? 'exp.error' : END_REASON_TAG;
      await this.store.logBatch(this.runId, { tags: { [key]: message.slice(0, 4000) } }).catch(() => {});
    }
    await this.store.updateRun(this.runId, status, Date.now());
  }
}

/** Marks a k-fold cross-validation's parent run (the value is K); its result is the fold-ensemble's. */
export const KFOLD_TAG = 'exp.kfold';

/**
 * A sweep's parent run (no metrics of its own) or a k-fold cross-validation's (the folds'
 * mean and sd and the fold-ensemble's metrics, logged by finishKfold); the children carry its
 * id as `mlflow.parentRunId`.
 */
export class SweepParent {
  private constructor(
    readonly store: TrackingStore,
    readonly runId: string,
    /** An earlier run of the same sweep, continued. */
    readonly reopened: boolean,
  ) {}

  /**
   * The parent run: the one with the same identity, reopened, so a re-run or a grown grid
   * keeps every child under one parent; a new one when there is none or `fresh`. A k-fold
   * parent takes the experiment's params (so the board judges its targets) and may itself be
   * a sweep's child.
   */
  static async start(
    store: TrackingStore,
    sweep: { experiment: string; name: string; file: string; size: number; identity: string; kfold?: { k: number; params: Record<string, string>; parentRunId?: string } },
    fresh: boolean,
  ): Promise<SweepParent> {
    const experimentId = await store.getOrCreateExperiment(sweep.experiment);
    const identityTag = sweep.kfold ? KFOLD_IDENTITY_TAG : SWEEP_IDENTITY_TAG;
    const sizeTag = { [sweep.kfold ? 'exp.kfold.size' : 'exp.sweep.size']: String(sweep.size) };
    const earlier = fresh ? [] : await store.searchRuns([experimentId], { filter: `tags.\`${identityTag}\` = '${sweep.identity}'` });
    const previous = earlier[0]; // newest first
    if (previous) {
      await store.updateRun(previous.info.runId, 'RUNNING');
      await store.logBatch(previous.info.runId, { tags: sizeTag });
      return new SweepParent(store, previous.info.runId, true);
    }
    const run = await store.createRun(experimentId, {
      runName: sweep.kfold ? `${sweep.name} (${sweep.kfold.k}-fold)` : `${sweep.name} (sweep)`,
      tags: {
        ...provenanceTags(sweep.file),
        ...(sweep.kfold ? { [KFOLD_TAG]: String(sweep.kfold.k) } : { [SWEEP_TAG]: 'true' }),
        ...sizeTag,
        [identityTag]: sweep.identity,
        ...(sweep.kfold?.parentRunId ? { [PARENT_TAG]: sweep.kfold.parentRunId } : {}),
      },
    });
    const parent = new SweepParent(store, run.runId, false);
    if (sweep.kfold) {
      try {
        await store.logBatch(run.runId, { params: sweep.kfold.params });
      } catch (e) {
        await parent.end('FAILED').catch(() => undefined);
        throw e;
      }
    }
    return parent;
  }

  /** A parent started elsewhere (by the process that enqueued its trials), to end it. */
  static of(store: TrackingStore, runId: string): SweepParent {
    return new SweepParent(store, runId, true);
  }

  end(status: RunStatus): Promise<void> {
    return this.store.updateRun(this.runId, status, Date.now());
  }
}
