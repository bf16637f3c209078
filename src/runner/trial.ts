import type { EpochRecord } from '../train/loop.js';

/**
 * How a trial of a sweep reports its epochs to whoever schedules the sweep (a local --jobs
 * parent, a queue worker) and learns whether to go on. `review` answers a reason to stop
 * (the trial is pruned) or undefined to continue.
 */
export interface TrialReview {
  review(logs: EpochRecord, epochs: number): Promise<string | undefined>;
}

/** The tag a pruned trial ends with, beside its best metrics (rank puts it below finished trials). */
export const PRUNED_TAG = 'exp.pruned';
export const PRUNED_REASON_TAG = 'exp.pruned_reason';
