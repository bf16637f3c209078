import { alignTestSets } from '../compare/compare-runs.js';
import { CompareError } from '../compare/errors.js';
import { readTestPredictions, type TestPredictions } from '../compare/test-predictions.js';
import { runClasses } from '../rank/leaderboard.js';
import { requireMetricOfKey, UnknownMetricError } from '../registry/metrics/index.js';
import { ENSEMBLE_TAG, KFOLD_TAG, SWEEP_TAG, VAL_RESULT_PREFIX } from '../runner/record.js';
import { PRUNED_TAG } from '../runner/trial.js';
import type { Run, TrackingStore } from '../tracking/index.js';

export interface ChosenMembers {
  runIds: string[];
  /** Each member with its score, and each run passed over with why: for the log. */
  lines: string[];
}

/** `rank_by` as the key a run logs: a validation metric (best_val_<metric>); a test metric is refused. */
export function rankKey(rankBy: string): string {
  if (rankBy.startsWith('test_')) throw new CompareError(`rank_by ${rankBy} is a test metric: ensemble members are chosen on validation only (use best_val_${rankBy.slice(5)})`);
  const key = rankBy.startsWith(VAL_RESULT_PREFIX) ? rankBy : `${VAL_RESULT_PREFIX}${rankBy}`;
  return key;
}

/** A run that is a model of its own: not an ensemble, a sweep's or cross-validation's parent, or a pruned trial. */
const isModelRun = (run: Run): boolean =>
  run.info.status === 'FINISHED' && run.data.tags[ENSEMBLE_TAG] === undefined && run.data.tags[SWEEP_TAG] !== 'true' && run.data.tags[KFOLD_TAG] === undefined && run.data.tags[PRUNED_TAG] === undefined;

/**
 * The best `top` finished runs of an experiment by a validation metric (never test), that share
 * the best one's validation and test images (an ensemble averages per image): a run on other
 * images (another fold, another data folder) is passed over, and said so.
 */
export async function chooseTop(store: TrackingStore, experiment: string, top: number, rankBy: string): Promise<ChosenMembers> {
  const key = rankKey(rankBy);
  const found = (await store.listExperiments()).find((e) => e.name === experiment);
  if (!found) throw new CompareError(`no experiment named '${experiment}' in ${store.uri} to choose ensemble members from`);
  const runs = (await store.searchRuns([found.experimentId], { filter: "attributes.status = 'FINISHED'" })).filter(isModelRun);
  let direction: 'higher' | 'lower';
  try {
    direction = requireMetricOfKey(key, [...new Set(runs.flatMap(runClasses))]).direction;
  } catch (e) {
    throw e instanceof UnknownMetricError ? new CompareError(`rank_by: ${e.message}`) : e;
  }
  const scored = runs.filter((r) => Number.isFinite(r.data.metrics[key]));
  const sign = direction === 'lower' ? 1 : -1;
  // Ties go to the earlier run, so the choice does not depend on the store's order.
  scored.sort((a, b) => sign * (a.data.metrics[key]! - b.data.metrics[key]!) || a.info.startTime - b.info.startTime);
  const lines: string[] = [];
  const runIds: string[] = [];
  let first: { test: TestPredictions; validation: TestPredictions } | undefined;
  for (const run of scored) {
    if (runIds.length === top) break;
    const label = `${run.info.runName} (${run.info.runId}) ${key} ${run.data.metrics[key]!.toFixed(4)}`;
    try {
      const mine = { test: await readTestPredictions(store, run.info.runId, 'test'), validation: await readTestPredictions(store, run.info.runId, 'validation') };
      if (first) for (const split of ['validation', 'test'] as const) alignTestSets(first[split], mine[split], split);
      first ??= mine;
      runIds.push(run.info.runId);
      lines.push(`  member ${runIds.length}: ${label}`);
    } catch (e) {
      if (!(e instanceof CompareError)) throw e;
      lines.push(`  passed over: ${label}: ${e.message}`);
    }
  }
  if (runIds.length < Math.min(2, top)) {
    throw new CompareError(`experiment '${experiment}' has ${runIds.length} finished run${runIds.length === 1 ? '' : 's'} with ${key} on the same images; an ensemble needs at least two${lines.length ? `\n${lines.join('\n')}` : ''}`);
  }
  if (runIds.length < top) lines.push(`  only ${runIds.length} of the ${top} asked for: no more finished runs with ${key} on the same images`);
  return { runIds, lines };
}
