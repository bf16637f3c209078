/** Running experiments: one run start to finish, or many (sweeps, several files, --jobs). */
import { displayPath } from '../config/locate.js';
import type { ExperimentRuns } from '../config/expand.js';
import type { ValidatedExperiment } from '../config/validate.js';
import { reportError } from '../core/report-error.js';
import { resolveRunId } from '../tracking/resolve-run.js';
import { runEnsembleFile } from '../ensemble/experiment.js';
import type { Progress } from '../core/progress.js';
import { boardFor } from '../rank/board-for.js';
import { formatLeaderboard } from '../rank/leaderboard.js';
import { ResilientStore, TrackingError, type TrackingStore } from '../tracking/index.js';
import { loadCheckpoint } from './checkpoint.js';
import { holdRun } from './held-run.js';
import { lastRunWith, runIdentity, sweepIdentity } from './identity.js';
import type { Checkpoint } from '../train/loop.js';
import { RunRecorder, SweepParent, TEST_METRIC_PREFIX, VAL_RESULT_PREFIX, VERDICT_TAG } from './record.js';
import { runExperiment, type RunOutcome } from './run-experiment.js';
import { runInWorker, type WorkerTask } from './workers.js';
import { keepOpen } from './open-runs.js';
import { claimRun, type RunLock } from './run-lock.js';
import { closeStaleRun } from './stale-runs.js';
import { finishKfold } from './kfold-parent.js';
import { flattenParams } from './flatten.js';
import { MemoryRungs, type Scheduler } from '../registry/schedulers/index.js';
import { createScheduler } from './scheduler.js';
import { PRUNED_REASON_TAG, PRUNED_TAG, type TrialReview } from './trial.js';

/** The cross-validated experiment as params, less what differs per fold (its fold and name). */
function kfoldParams(first: ValidatedExperiment, name: string): Record<string, string> {
  const { $schema: _schema, ...config } = structuredClone(first.config);
  delete config.data.validation.fold;
  return flattenParams({ ...config, name });
}

/** The line a finished cross-validation prints: the folds' mean and sd, and the fold-ensemble. */
function kfoldSummary(name: string, k: number, m: Record<string, number>): string {
  const f = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(4));
  return `== ${k}-fold cross-validation ${name}: test_accuracy ${f(m.test_accuracy_mean)} +- ${f(m.test_accuracy_sd)} over the folds, best_val_accuracy ${f(m.best_val_accuracy_mean)} +- ${f(m.best_val_accuracy_sd)}; fold-ensemble test_accuracy ${f(m.test_accuracy)}, test_auc ${f(m.test_auc)}`;
}

/**
 * Trains, evaluates and records one experiment (or continues an interrupted run from its
 * checkpoint), then prints where the run sits on the board.
 */
export async function runOne(
  exp: ValidatedExperiment,
  store: TrackingStore,
  progress: Progress,
  links: { identity?: string; parentRunId?: string } = {},
  resume?: { runId: string; checkpoint: Checkpoint; lock: RunLock },
  trial?: TrialReview,
): Promise<Pick<Outcome, 'runId' | 'verdict' | 'metrics' | 'pruned'> & { runId: string }> {
  progress.line(`== ${exp.config.experiment} / ${exp.config.name} (${displayPath(exp.file)})`);
  const starting = resume ? RunRecorder.reopen(store, resume.runId, exp, resume.checkpoint) : RunRecorder.start(store, exp, links);
  const release = holdRun(starting, progress, resume?.lock);
  let recorder: RunRecorder;
  try {
    recorder = await starting;
  } catch (e) {
    release();
    throw e;
  }
  progress.line(resume ? `run ${recorder.runId} in ${store.uri}: continuing after epoch ${resume.checkpoint.epoch}` : `run ${recorder.runId} in ${store.uri}`);
  let outcome: RunOutcome;
  let pruned: string | undefined;
  try {
    // A pruned trial is tagged when the scheduler decides, so the store says so even if the process dies before the run ends.
    const pruning: TrialReview | undefined = trial && {
      review: async (logs, epochs) => {
        const reason = await trial.review(logs, epochs);
        if (reason) {
          pruned = reason;
          progress.line(`pruned after epoch ${logs.epoch}/${epochs}: ${reason}`);
          await store.logBatch(recorder.runId, { tags: { [PRUNED_TAG]: 'true', [PRUNED_REASON_TAG]: reason.slice(0, 4000) } });
        }
        return reason;
      },
    };
    outcome = await runExperiment(exp, progress, recorder, resume?.checkpoint, pruning);
    await recorder.finish(outcome);
  } catch (e) {
    // Requests are cancelled only by the exit guard, which closes the run itself (KILLED, with the signal).
    if (e instanceof TrackingError && e.code === 'CANCELLED') throw e;
    // The run's own error is what the user needs, even when the store cannot take its end (a full disk).
    await recorder.end('FAILED', e).catch(() => undefined);
    throw e;
  } finally {
    release();
  }
  const result = { runId: recorder.runId, verdict: outcome.verdict.pass ? ('PASS' as const) : ('FAIL' as const), metrics: outcome.metrics, ...(pruned ? { pruned } : {}) };
  // The run is recorded; the board is only a report, so failing to read it does not fail the run.
  if (store instanceof ResilientStore && store.offline) {
    progress.line(`\n${store.uri} was unreachable: the run is kept in ${store.local.root}; push it with \`exp sync --tracking-uri ${store.uri}\``);
    return result;
  }
  let board: Awaited<ReturnType<typeof boardFor>>;
  try {
    board = await boardFor(store, exp.config.experiment, 'test_accuracy');
  } catch (e) {
    progress.line(`\nleaderboard unavailable: ${e instanceof Error ? e.message : String(e)}`);
    return result;
  }
  const { rows } = board;
  const place = rows.find((r) => r.runId === recorder.runId);
  progress.line(`\nleaderboard of ${exp.config.experiment}${place ? `: this run is #${place.rank} of ${rows.length}` : ''}\n${formatLeaderboard(rows.slice(0, 10), recorder.runId)}\n`);
  return result;
}

export interface Outcome {
  name: string;
  status: 'finished' | 'skipped' | 'failed';
  runId?: string;
  /** Why a sweep's scheduler stopped this trial early (it finished with its best metrics so far). */
  pruned?: string;
  verdict?: 'PASS' | 'FAIL';
  metrics?: Record<string, number>;
  error?: string;
}

/** A finished run's verdict and test metrics as its store holds them, as a fresh run reports them. */
async function recordedResult(store: TrackingStore, runId: string): Promise<Pick<Outcome, 'runId' | 'verdict' | 'metrics'>> {
  const run = await store.getRun(runId);
  const verdict = run.data.tags[VERDICT_TAG];
  // The same keys a fresh run reports: test results and validation at the kept epoch.
  const metrics = Object.fromEntries(Object.entries(run.data.metrics).filter(([k]) => k.startsWith(TEST_METRIC_PREFIX) || k.startsWith(VAL_RESULT_PREFIX)));
  return { runId, ...(verdict === 'PASS' || verdict === 'FAIL' ? { verdict } : {}), metrics };
}

/** Runs one expanded experiment unless an identical run already finished (and --rerun is off). */
export async function runOrSkip(exp: ValidatedExperiment, store: TrackingStore, progress: Progress, rerun: boolean, parentRunId?: string, trial?: TrialReview): Promise<Outcome> {
  const name = exp.config.name;
  const identity = await runIdentity(exp);
  const last = rerun ? undefined : await lastRunWith(store, exp.config.experiment, identity);
  const skipped = async (runId: string): Promise<Outcome> => {
    progress.line(`== ${exp.config.experiment} / ${name}: skipped, identical to finished run ${runId} (--rerun to train it again)`);
    return { name, status: 'skipped', ...(await recordedResult(store, runId)) };
  };
  if (last?.status === 'FINISHED') return skipped(last.runId);
  // An identical run that was interrupted continues from its checkpoint, in the same MLflow run,
  // unless another process trains it now (refused, with the reason); without a whole checkpoint
  // (none written yet, or damaged) a new run starts.
  let resume: { runId: string; checkpoint: Checkpoint; lock: RunLock } | undefined;
  if (last) {
    const { lock, run, stale } = await claimRun(store, last.runId);
    if (run.info.status === 'FINISHED') {
      // Finished by another process while this one looked.
      lock.release();
      return skipped(last.runId);
    }
    try {
      if (stale) progress.line(`== taking over stale run ${last.runId}: ${stale}`);
      let damaged = false;
      const checkpoint = await loadCheckpoint(store, last.runId, (message) => {
        damaged = true;
        progress.line(message);
      });
      if (checkpoint) resume = { runId: last.runId, checkpoint, lock };
      else {
        if (damaged) progress.line(`run ${last.runId} has no whole checkpoint left: starting a new run`);
        if (stale) await closeStaleRun(store, last.runId, stale);
      }
    } finally {
      if (!resume) lock.release();
    }
  }
  return { name, status: 'finished', ...(await runOne(exp, store, progress, { identity, ...(parentRunId ? { parentRunId } : {}) }, resume, trial)) };
}

/**
 * Every run of every file; with several runs, one failing does not stop the rest. With
 * `jobs` > 1 the runs train in that many worker processes at once.
 */
/** The parent runs of a set of files: one per sweep, one per k-fold cross-validation (under its sweep's). */
export interface Parents {
  sweeps: Map<number, SweepParent>;
  kfolds: { fileIndex: number; name: string; runs: number[]; parent: SweepParent; close: () => void }[];
  /** Forgets the sweeps' closers (the kfolds' are each one's `close`). */
  closeSweep(fileIndex: number): void;
  /** The run a run's run is nested under: its k-fold parent, else its sweep's. */
  parentOf(fileIndex: number, runIndex: number): string | undefined;
}

/**
 * Starts (or reopens, see SweepParent.start) the parent runs of every sweep and k-fold
 * cross-validation in `files`, each closed as KILLED if the process is stopped before it ends.
 */
export async function startParents(files: ExperimentRuns[], store: TrackingStore, progress: Progress, rerun: boolean): Promise<Parents> {
  const sweeps = new Map<number, SweepParent>();
  const sweepClosers = new Map<number, () => void>();
  for (const [i, file] of files.entries()) {
    if (!file.sweep) continue;
    const identity = await sweepIdentity(file.runs[0]!, Object.keys(file.sweep.values[0] ?? {}));
    const parent = await SweepParent.start(store, { ...file.sweep, file: file.file, size: file.runs.length, identity }, rerun);
    // Closed as KILLED, like its runs, if the process is stopped before the sweep ends.
    sweepClosers.set(i, keepOpen({ label: `sweep ${file.sweep.name}`, say: (t) => progress.line(t), close: () => parent.end('KILLED') }));
    progress.line(`== sweep ${file.sweep.name}: ${file.runs.length} runs under ${parent.reopened ? 'its earlier' : 'new'} parent run ${parent.runId}`);
    sweeps.set(i, parent);
  }
  // A k-fold cross-validation's parent, under its sweep's parent when it is a sweep's point.
  const kfolds: Parents['kfolds'] = [];
  for (const [i, file] of files.entries()) {
    for (const group of file.kfold ?? []) {
      const first = file.runs[group.runs[0]!]!;
      const parent = await SweepParent.start(store, { experiment: first.config.experiment, name: group.name, file: file.file, size: group.runs.length, identity: await sweepIdentity(first, ['data.validation.fold']), kfold: { k: group.runs.length, params: kfoldParams(first, group.name), ...(sweeps.get(i) ? { parentRunId: sweeps.get(i)!.runId } : {}) } }, rerun);
      const close = keepOpen({ label: `cross-validation ${group.name}`, say: (t) => progress.line(t), close: () => parent.end('KILLED') });
      progress.line(`== ${group.runs.length}-fold cross-validation ${group.name}: under ${parent.reopened ? 'its earlier' : 'new'} parent run ${parent.runId}`);
      kfolds.push({ fileIndex: i, name: group.name, runs: group.runs, parent, close });
    }
  }
  return {
    sweeps,
    kfolds,
    closeSweep: (i) => sweepClosers.get(i)?.(),
    parentOf: (fileIndex, runIndex) => kfolds.find((g) => g.fileIndex === fileIndex && g.runs.includes(runIndex))?.parent.runId ?? sweeps.get(fileIndex)?.runId,
  };
}

/**
 * Ends a k-fold parent once its folds are done: their mean, sd and fold-ensemble when every
 * fold finished, else FAILED with what went wrong. Returns the failure to report when the
 * folds finished but the parent could not be finished.
 */
export async function endKfold(store: TrackingStore, parent: SweepParent, first: ValidatedExperiment, name: string, folds: Outcome[], progress: Progress): Promise<Outcome | undefined> {
  let status: 'FINISHED' | 'FAILED' = 'FAILED';
  let failure: Outcome | undefined;
  const failed = folds.filter((o) => o.status === 'failed').length;
  try {
    if (failed) throw new Error(`${failed} of ${folds.length} folds failed; run it again to train the missing folds`);
    const result = await finishKfold(store, parent.runId, first, folds.map((o) => o.runId!));
    progress.line(kfoldSummary(name, folds.length, result.metrics));
    status = 'FINISHED';
  } catch (e) {
    await store.logBatch(parent.runId, { tags: { 'exp.error': (e instanceof Error ? e.message : String(e)).slice(0, 4000) } }).catch(() => undefined);
    if (!failed) {
      reportError(e);
      failure = { name: `${name} (cross-validation)`, status: 'failed', runId: parent.runId, error: e instanceof Error ? e.message : String(e) };
    } else progress.line(`cross-validation ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  await parent.end(status);
  return failure;
}

/**
 * Every run of every file; with several runs, one failing does not stop the rest. With
 * `jobs` > 1 the runs train in that many worker processes at once.
 */
export async function runAll(files: ExperimentRuns[], store: TrackingStore, progress: Progress, rerun: boolean, jobs = 1, task?: Omit<WorkerTask, 'fileIndex' | 'runIndex' | 'parentRunId' | 'rerun'>): Promise<Outcome[]> {
  const many = files.reduce((n, f) => n + f.runs.length, 0) > 1;
  const parents = await startParents(files, store, progress, rerun);
  const jobsList = files.flatMap((file, fileIndex) => file.runs.map((exp, runIndex) => ({ exp, fileIndex, runIndex })));
  const outcomes: Outcome[] = new Array(jobsList.length);
  // A sweep's scheduler (asha, median) sees every trial's epochs, in this process's memory.
  const reviews = new Map<number, Scheduler>();
  for (const [i, file] of files.entries()) if (file.sweep?.scheduler) reviews.set(i, createScheduler(file.sweep.scheduler, new MemoryRungs()));
  const trialOf = (j: (typeof jobsList)[number]): TrialReview | undefined => {
    const scheduler = reviews.get(j.fileIndex);
    return scheduler && { review: (logs, epochs) => scheduler.review(j.exp.config.name, logs, epochs) };
  };
  const runJob = async (j: (typeof jobsList)[number], k: number): Promise<void> => {
    const parentRunId = parents.parentOf(j.fileIndex, j.runIndex);
    try {
      outcomes[k] =
        jobs > 1 && task
          ? await runInWorker({ ...task, fileIndex: j.fileIndex, runIndex: j.runIndex, rerun, ...(parentRunId ? { parentRunId } : {}) }, j.exp.config.name, progress, trialOf(j))
          : await runOrSkip(j.exp, store, progress, rerun, parentRunId, trialOf(j));
    } catch (e) {
      if (!many) throw e;
      reportError(e);
      outcomes[k] = { name: j.exp.config.name, status: 'failed', error: e instanceof Error ? e.message : String(e) };
    }
  };
  let next = 0;
  const lanes = Array.from({ length: Math.min(Math.max(1, jobs), jobsList.length) }, async () => {
    while (next < jobsList.length) {
      const k = next++;
      await runJob(jobsList[k]!, k);
    }
  });
  await Promise.all(lanes);
  for (const g of parents.kfolds) {
    const mine = g.runs.map((r) => outcomes[jobsList.findIndex((j) => j.fileIndex === g.fileIndex && j.runIndex === r)]!);
    g.close();
    const failure = await endKfold(store, g.parent, files[g.fileIndex]!.runs[g.runs[0]!]!, g.name, mine, progress);
    if (failure) outcomes.push(failure);
  }
  for (const [i, parent] of parents.sweeps) {
    const mine = jobsList.flatMap((j, k) => (j.fileIndex === i ? [outcomes[k]!] : []));
    parents.closeSweep(i);
    await parent.end(mine.some((o) => o.status === 'failed') ? 'FAILED' : 'FINISHED');
  }
  // Ensembles last: `exp run a.yaml b.yaml ensemble.yaml` trains the members first.
  for (const file of files) {
    if (!file.ensemble) continue;
    const { name } = file.ensemble;
    try {
      const { runId, result } = await runEnsembleFile(store, file.ensemble, (line) => progress.line(line), (ref) => resolveRunId(store, ref), rerun);
      outcomes.push(result ? { name, status: 'finished', runId, verdict: result.verdict.pass ? 'PASS' : 'FAIL', metrics: result.metrics } : { name, status: 'skipped', ...(await recordedResult(store, runId)) });
    } catch (e) {
      if (!many && files.length === 1) throw e;
      reportError(e);
      outcomes.push({ name, status: 'failed', error: e instanceof Error ? e.message : String(e) });
    }
  }
  return outcomes;
}
