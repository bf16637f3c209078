import { loadRuns } from '../config/expand.js';
import { UserError } from '../core/errors.js';
import { overridesFrom } from '../config/overrides.js';
import type { Progress } from '../core/progress.js';
import type { TrackingStore } from '../tracking/index.js';
import { loadCheckpoint } from './checkpoint.js';
import { configHash } from './identity.js';
import { FILE_TAG, SETS_TAG } from './record.js';
import { claimRun } from './run-lock.js';
import { runOne, type Outcome } from './run-all.js';

/**
 * Continues an interrupted run from its last checkpoint, in the same MLflow run: the
 * experiment is loaded again from the file and overrides the run recorded, and must still
 * resolve to the same config.
 */
export async function resumeRun(store: TrackingStore, runId: string, progress: Progress): Promise<Pick<Outcome, 'runId' | 'verdict' | 'metrics'>> {
  if ((await store.getRun(runId)).info.status === 'FINISHED') throw new UserError(`run ${runId} already finished; nothing to resume`);
  // Refused while another process trains it; a stale run (its process is gone) is taken over.
  const { lock, run, stale } = await claimRun(store, runId);
  try {
    if (run.info.status === 'FINISHED') throw new UserError(`run ${runId} already finished; nothing to resume`);
    const file = run.data.tags[FILE_TAG];
    if (!file) throw new UserError(`run ${runId} was not started by this version of exp (no exp.file tag); run its experiment again`);
    const checkpoint = await loadCheckpoint(store, runId, (m) => progress.line(m));
    if (!checkpoint) throw new UserError(`run ${runId} has no usable checkpoint in ${store.uri} (it stopped before its first epoch ended, or its checkpoints are damaged); run its experiment again`);
    const sets = JSON.parse(run.data.tags[SETS_TAG] ?? '[]') as string[];
    const exp = loadRuns(file, overridesFrom(sets)).runs.find((r) => configHash(r) === run.data.tags['exp.config_hash']);
    if (!exp) throw new UserError(`${file} no longer resolves to the config run ${runId} trained with; resuming would mix two experiments`);
    if (stale) progress.line(`taking over stale run ${runId}: ${stale}`);
    return await runOne(exp, store, progress, {}, { runId, checkpoint, lock });
  } catch (e) {
    lock.release();
    throw e;
  }
}
