import { stringify } from 'yaml';
import type { ValidatedExperiment } from '../config/validate.js';
import { buildInferenceGraph } from '../engine/onnx/build.js';
import { tfjsModelFiles } from '../engine/tfjs/export.js';
import { formatSummary } from '../model/summary.js';
import { PLOT_ARTIFACT_DIR, renderRunPlots } from '../report/run-plots.js';
import type { EpochLogs } from '../registry/callbacks/index.js';
import type { RunStatus, TrackingStore } from '../tracking/index.js';
import { removeCheckpoint, writeCheckpoint } from './checkpoint.js';
import { flattenParams } from './flatten.js';
import type { Checkpoint } from '../train/loop.js';
import { configHash, IDENTITY_TAG, SWEEP_IDENTITY_TAG } from './identity.js';
import { ownerTags } from './owner.js';
import { provenanceTags } from './provenance.js';
import type { RunOutcome, StartInfo } from './run-experiment.js';
import { modelSignature } from './signature.js';
import { END_REASON_TAG } from './stale-runs.js';

const EPOCH_KEYS = ['train_loss', 'val_loss', 'train_accuracy', 'val_accuracy', 'lr'] as const;


/** Marks a sweep's parent run, which has children rather than metrics of its own. */
export const SWEEP_TAG = 'exp.sweep';

/** Logs one run to a tracking store as MLflow's own clients would, while it happens. */
export class RunRecorder {
  private constructor(
    readonly store: TrackingStore,
    readonly runId: string,
    readonly experimentId: string,
    private readonly exp: ValidatedExperiment,
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
        'exp.file': exp.file,
        'exp.sets': JSON.stringify(exp.sets),
        ...(links.identity ? { [IDENTITY_TAG]: links.identity } : {}),
        ...(links.parentRunId ? { 'mlflow.parentRunId': links.parentRunId } : {}),
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

  /** Takes an interrupted run up again (RUNNING), to continue it from its checkpoint. */
  static async reopen(store: TrackingStore, runId: string, exp: ValidatedExperiment): Promise<RunRecorder> {
    const run = await store.getRun(runId);
    await store.logBatch(runId, { tags: ownerTags() });
    await store.updateRun(runId, 'RUNNING');
    return new RunRecorder(store, runId, run.info.experimentId, exp);
  }

  /** Keeps the state after each epoch on disk, so an interrupted run can continue. */
  checkpoint(checkpoint: Checkpoint): Promise<void> {
    return writeCheckpoint(this.runId, checkpoint);
  }

  async started(info: StartInfo): Promise<void> {
    await this.store.logBatch(this.runId, {
      params: Object.fromEntries(info.classes.map((name, i) => [`class_weight.${name}`, String(info.classWeights[i])])),
      tags: { 'exp.engine': info.engine.name, 'exp.backend': info.engine.backend, 'exp.device': info.engine.device, 'exp.data.fingerprint': info.fingerprint },
    });
  }

  async epoch(logs: EpochLogs & { seconds: number }): Promise<void> {
    const timestamp = Date.now();
    await this.store.logBatch(this.runId, {
      metrics: [...EPOCH_KEYS.map((key) => ({ key, value: logs[key], timestamp, step: logs.epoch })), { key: 'epoch_seconds', value: logs.seconds, timestamp, step: logs.epoch }],
    });
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
    };
    await this.store.logBatch(this.runId, {
      metrics: Object.entries(values).map(([key, value]) => ({ key, value, timestamp, step: 0 })),
      params: outcome.threshold.value !== null ? { 'evaluate.threshold.chosen': String(outcome.threshold.value) } : {},
      tags: {
        'exp.verdict': verdict.pass ? 'PASS' : 'FAIL',
        ...Object.fromEntries(verdict.results.map((r) => [`exp.target.${r.name}`, r.pass ? 'PASS' : 'FAIL'])),
        ...(outcome.dataset.skipped.length ? { 'exp.data.skipped': String(outcome.dataset.skipped.length) } : {}),
      },
    });
    const files = await tfjsModelFiles(outcome.model, outcome.weights);
    const signature = modelSignature(outcome.model, this.exp.config, outcome.dataset.classes, outcome.threshold.value);
    await this.store.logArtifact(this.runId, 'model/model.json', files['model.json']);
    await this.store.logArtifact(this.runId, 'model/weights.bin', files['weights.bin']);
    await this.store.logArtifact(this.runId, 'model/summary.txt', `${formatSummary(outcome.model)}\n`);
    await this.store.logArtifact(this.runId, 'model/signature.json', `${JSON.stringify(signature, null, 2)}\n`);
    // The same weights as a plain ONNX inference model, deployable wherever ONNX runs.
    await this.store.logArtifact(this.runId, 'model/model.onnx', buildInferenceGraph(outcome.model, outcome.weights));
    const plots = await renderRunPlots(outcome);
    for (const [file, data] of Object.entries(plots)) await this.store.logArtifact(this.runId, `${PLOT_ARTIFACT_DIR}/${file}`, data);
    const summary = { plots: Object.keys(plots).map((f) => `${PLOT_ARTIFACT_DIR}/${f}`), metrics: values, verdict, history: outcome.fit.history, skipped: outcome.dataset.skipped, engine: outcome.engine };
    await this.store.logArtifact(this.runId, 'metrics.json', `${JSON.stringify(summary, null, 2)}\n`);
    await this.store.updateRun(this.runId, 'FINISHED', Date.now());
    await removeCheckpoint(this.runId);
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

/** A sweep's parent run: no metrics of its own; its children carry its id as `mlflow.parentRunId`. */
export class SweepParent {
  private constructor(
    readonly store: TrackingStore,
    readonly runId: string,
    /** An earlier run of the same sweep, continued. */
    readonly reopened: boolean,
  ) {}

  /**
   * The sweep's parent run: the one with the same sweep identity, reopened, so a re-run or a
   * grown grid keeps every child under one parent; a new one when there is none or `fresh`.
   */
  static async start(store: TrackingStore, sweep: { experiment: string; name: string; file: string; size: number; identity: string }, fresh: boolean): Promise<SweepParent> {
    const experimentId = await store.getOrCreateExperiment(sweep.experiment);
    const sizeTag = { 'exp.sweep.size': String(sweep.size) };
    const earlier = fresh ? [] : await store.searchRuns([experimentId], { filter: `tags.\`${SWEEP_IDENTITY_TAG}\` = '${sweep.identity}'` });
    const previous = earlier[0]; // newest first
    if (previous) {
      await store.updateRun(previous.info.runId, 'RUNNING');
      await store.logBatch(previous.info.runId, { tags: sizeTag });
      return new SweepParent(store, previous.info.runId, true);
    }
    const run = await store.createRun(experimentId, {
      runName: `${sweep.name} (sweep)`,
      tags: { ...provenanceTags(sweep.file), [SWEEP_TAG]: 'true', ...sizeTag, [SWEEP_IDENTITY_TAG]: sweep.identity },
    });
    return new SweepParent(store, run.runId, false);
  }

  end(status: RunStatus): Promise<void> {
    return this.store.updateRun(this.runId, status, Date.now());
  }
}
