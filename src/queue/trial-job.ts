import type { JobsOptions } from 'bullmq';
import type { WorkerTask } from '../runner/workers.js';

/** The one queue every exp worker takes trials from (a Redis database per study keeps studies apart). */
export const QUEUE_NAME = 'exp-trials';

/** A trial on the queue: what a worker process needs (the WorkerTask), plus what the follower shows. */
export interface TrialJob {
  task: Omit<WorkerTask, 'threads'>;
  /** The run's name, e.g. `cnn2 lr=0.001`. */
  name: string;
  experiment: string;
  epochs: number;
  /** The parent runs this trial is under (its k-fold's, its sweep's): ended by whoever sees their last trial end. */
  groups?: string[];
  /** The sweep's scheduler entry, if any: workers review each epoch against the others' in Redis. */
  scheduler?: Record<string, unknown>;
}

/** What a worker reports while it trains a trial (BullMQ job progress). */
export interface TrialProgress {
  worker: string;
  epoch?: number;
  epochs: number;
}

const ms = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

/**
 * BullMQ's timings. A worker renews its lock on a trial every lockDuration/2; one that stops
 * renewing (killed, its machine gone) has its trial handed to another worker after at most
 * lockDuration + stalledInterval. The variables exist for tests, which cannot wait 30 s.
 */
export const timings = () => ({
  lockDuration: ms('EXP_QUEUE_LOCK_MS', 30_000),
  stalledInterval: ms('EXP_QUEUE_STALLED_MS', 30_000),
  backoff: ms('EXP_QUEUE_BACKOFF_MS', 10_000),
});

/** A trial is handed on after this many stalls (a worker killed each time) before it counts as failed. */
export const MAX_STALLS = 3;

/** The job id: the run identity, so the same run enqueued twice is one job (BullMQ ignores a known id). */
export const jobId = (identity: string, rerun: boolean): string => `trial-${identity}${rerun ? `-rerun-${Date.now()}` : ''}`;

export const jobOptions = (id: string, attempts: number): JobsOptions => ({
  jobId: id,
  attempts,
  backoff: { type: 'exponential', delay: timings().backoff },
  // Kept after they end, so a re-enqueue sees them and the follower reads their results.
  removeOnComplete: false,
  removeOnFail: false,
});
