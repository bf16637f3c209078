import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { ExperimentRuns } from '../config/expand.js';
import type { Progress } from '../core/progress.js';
import { lastRunWith, runIdentity } from '../runner/identity.js';
import { startParents } from '../runner/run-all.js';
import type { TrackingStore } from '../tracking/index.js';
import { checkReachable, redisOptions } from './connection.js';
import { endGroupIfDone, saveGroup, type Group } from './groups.js';
import { jobId, jobOptions, QUEUE_NAME, type TrialJob } from './trial-job.js';

export interface EnqueueOptions {
  /** The files as given on the command line, and --set: workers load the same. */
  files: string[];
  overrides: string[];
  rerun: boolean;
  attempts: number;
}

/** One trial: its job on the queue (new, or one already there), or the finished run it is identical to. */
export interface Enqueued {
  name: string;
  id: string;
  state: 'enqueued' | 'queued before' | 'finished before';
  runId?: string;
}

/** Opens the trial queue on `url` (a Queue and a plain client for exp's own keys); close both when done. */
export function openQueue(url: string): { queue: Queue; redis: Redis; close: () => Promise<void> } {
  const { label: _label, ...options } = redisOptions(url);
  const redis = new Redis(options);
  redis.on('error', () => {});
  const queue = new Queue(QUEUE_NAME, { connection: options });
  queue.on('error', () => {});
  return { queue, redis, close: async () => void (await Promise.allSettled([queue.close(), redis.quit()])) };
}

/**
 * Enqueues every run of `files` as a trial (validated before, by the caller): Redis is checked
 * first, so an unreachable one changes nothing; runs identical to a finished one are not
 * enqueued; a trial already on the queue (same identity: its job id) is not added again; the
 * rest are added in one atomic batch. Parent runs are created (or reopened) here and ended by
 * whoever sees their last trial end.
 */
export async function enqueueRuns(files: ExperimentRuns[], store: TrackingStore, url: string, o: EnqueueOptions, progress: Progress): Promise<Enqueued[]> {
  await checkReachable(url);
  const { queue, redis, close } = openQueue(url);
  try {
    const trials: (Enqueued & { fileIndex: number; runIndex: number; job?: TrialJob })[] = [];
    for (const [fileIndex, file] of files.entries()) {
      for (const [runIndex, exp] of file.runs.entries()) {
        const identity = await runIdentity(exp);
        const last = o.rerun ? undefined : await lastRunWith(store, exp.config.experiment, identity);
        const id = jobId(identity, o.rerun);
        const base = { name: exp.config.name, id, fileIndex, runIndex };
        if (last?.status === 'FINISHED') {
          trials.push({ ...base, state: 'finished before', runId: last.runId });
          continue;
        }
        const existing = await queue.getJob(id);
        const state = existing ? await existing.getState() : undefined;
        // A trial that ended on the queue without a finished run (it failed, or its run was deleted) is enqueued anew.
        if (existing && (state === 'failed' || state === 'completed')) await existing.remove();
        else if (existing) {
          trials.push({ ...base, state: 'queued before' });
          continue;
        }
        trials.push({
          ...base,
          state: 'enqueued',
          job: {
            task: { files: o.files.map((f) => path.resolve(f)), overrides: o.overrides, trackingUri: store.uri, fileIndex, runIndex, rerun: o.rerun, identity },
            name: exp.config.name,
            experiment: exp.config.experiment,
            epochs: exp.config.train.epochs,
            ...(file.sweep?.scheduler ? { scheduler: file.sweep.scheduler } : {}),
          },
        });
      }
    }
    const parents = await startParents(files, store, progress, o.rerun);
    for (const t of trials) {
      const parentRunId = parents.parentOf(t.fileIndex, t.runIndex);
      if (!t.job || !parentRunId) continue;
      t.job.task.parentRunId = parentRunId;
      t.job.groups = [...new Set([parentRunId, parents.sweeps.get(t.fileIndex)?.runId ?? parentRunId])];
    }
    const adding = trials.filter((t) => t.job);
    try {
      // addBulk is one MULTI: every trial is on the queue, or none.
      await queue.addBulk(adding.map((t) => ({ name: t.name, data: t.job!, opts: jobOptions(t.id, o.attempts) })));
    } catch (e) {
      for (const p of [...parents.sweeps.values(), ...parents.kfolds.map((g) => g.parent)]) await p.end('KILLED').catch(() => undefined);
      throw e;
    }
    // From here the queue owns the parents: whoever sees a group's last trial end ends its parent.
    const entries = (pick: (t: (typeof trials)[number]) => boolean): Group['trials'] =>
      trials.filter(pick).map((t) => (t.state === 'finished before' ? { name: t.name, runId: t.runId! } : { name: t.name, job: t.id }));
    const groups: Group[] = [
      ...[...parents.sweeps].map(([i, p]) => ({ parentRunId: p.runId, trackingUri: store.uri, trials: entries((t) => t.fileIndex === i) })),
      ...parents.kfolds.map((g) => ({
        parentRunId: g.parent.runId,
        trackingUri: store.uri,
        trials: entries((t) => t.fileIndex === g.fileIndex && g.runs.includes(t.runIndex)),
        kfold: { name: g.name, file: path.resolve(o.files[g.fileIndex]!), overrides: o.overrides, runIndex: g.runs[0]! },
      })),
    ];
    for (const g of groups) await saveGroup(redis, g);
    for (const i of parents.sweeps.keys()) parents.closeSweep(i);
    for (const g of parents.kfolds) g.close();
    for (const g of groups) await endGroupIfDone(queue, redis, g.parentRunId, progress);
    return trials.map(({ name, id, state, runId }) => ({ name, id, state, ...(runId ? { runId } : {}) }));
  } finally {
    await close();
  }
}
