import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Progress } from '../core/progress.js';
import { loadRuns } from '../config/expand.js';
import { overridesFrom } from '../config/overrides.js';
import { endKfold, type Outcome } from '../runner/run-all.js';
import { SweepParent } from '../runner/record.js';
import { openStore } from '../tracking/index.js';

/**
 * A parent run (a sweep's, a k-fold cross-validation's) and the trials under it. The parent is
 * ended by whoever sees its last trial end (a worker, or the enqueuer when every trial was
 * already done), so it never stays RUNNING, also with `exp run --detach`.
 */
export interface Group {
  parentRunId: string;
  trackingUri: string;
  /** In run order: each trial's job, or the finished run it was identical to when enqueued. */
  trials: { name: string; job?: string; runId?: string }[];
  /** For a k-fold parent: where its first fold is defined, to compute the folds' statistics. */
  kfold?: { name: string; file: string; overrides: string[]; runIndex: number };
}

const key = (parentRunId: string) => `exp:group:${parentRunId}`;

export async function saveGroup(redis: Redis, group: Group): Promise<void> {
  await redis.set(key(group.parentRunId), JSON.stringify(group));
}

/** The trial's outcome as the queue holds it: its worker's result, or its last error once no attempt is left. */
export async function trialOutcome(queue: Queue, id: string): Promise<Outcome | undefined> {
  const job = await queue.getJob(id);
  if (!job) return { name: id, status: 'failed', error: 'removed from the queue (exp queue drain)' };
  const state = await job.getState();
  if (state === 'completed') return job.returnvalue as Outcome;
  if (state === 'failed') return { name: (job.data as { name: string }).name, status: 'failed', error: job.failedReason };
  return undefined;
}

/** Ends the parent run of every group whose trials have all ended (after `exp queue drain`). */
export async function endGroupsDone(queue: Queue, redis: Redis, progress: Progress): Promise<void> {
  const keys = (await redis.keys('exp:group:*')).filter((k) => !k.endsWith(':ending'));
  for (const k of keys) await endGroupIfDone(queue, redis, k.slice('exp:group:'.length), progress);
}

/** Ends the group's parent run if every trial under it has ended; one caller ends it (a Redis claim). */
export async function endGroupIfDone(queue: Queue, redis: Redis, parentRunId: string, progress: Progress): Promise<void> {
  const text = await redis.get(key(parentRunId));
  if (!text) return;
  const group = JSON.parse(text) as Group;
  const outcomes = await Promise.all(group.trials.map((t): Promise<Outcome | undefined> => (t.job ? trialOutcome(queue, t.job) : Promise.resolve({ name: t.name, status: 'skipped', runId: t.runId! }))));
  if (outcomes.some((o) => o === undefined)) return;
  // Expires, so a closer that dies here does not keep the parent open for ever: the next trial's end retries.
  if ((await redis.set(`${key(parentRunId)}:ending`, '1', 'EX', 600, 'NX')) !== 'OK') return;
  const store = openStore(group.trackingUri);
  const parent = SweepParent.of(store, parentRunId);
  const ended = outcomes as Outcome[];
  if (group.kfold) {
    const first = loadRuns(group.kfold.file, overridesFrom(group.kfold.overrides)).runs[group.kfold.runIndex]!;
    await endKfold(store, parent, first, group.kfold.name, ended, progress);
  } else await parent.end(ended.some((o) => o.status === 'failed') ? 'FAILED' : 'FINISHED');
  await redis.del(key(parentRunId), `${key(parentRunId)}:ending`);
}
