import { UserError } from '../core/errors.js';
import { SWEEP_TAG } from '../runner/record.js';
import { PRUNED_TAG } from '../runner/trial.js';
import type { TrackingStore } from '../tracking/index.js';
import { UnknownMetricError } from '../registry/metrics/index.js';
import { leaderboard, type BoardRow } from './leaderboard.js';

const DEFAULT_EXPERIMENT = 'Default';
const PARENT_TAG = 'mlflow.parentRunId';
/** What the board reads of a run besides meta and metrics: a file store need not read more. */
const BOARD_FIELDS = { params: ['data.classes', 'targets.*'], tags: [SWEEP_TAG, PARENT_TAG, PRUNED_TAG] };

/** The leaderboard of one experiment, named or (when the store holds one besides MLflow's `Default`) implied. */
export async function boardFor(store: TrackingStore, experiment: string | undefined, primary: string, parentRunId?: string): Promise<{ experiment: string; rows: BoardRow[] }> {
  const all = await store.listExperiments();
  const own = all.filter((e) => e.name !== DEFAULT_EXPERIMENT);
  // Named, any experiment (`Default` too); implied, the one besides `Default`, which every store has.
  const chosen = experiment !== undefined ? all.find((e) => e.name === experiment) : own.length === 1 ? own[0] : undefined;
  if (!chosen) {
    const names = own.map((e) => e.name).join(', ') || 'none yet';
    throw new UserError(experiment !== undefined ? `no experiment named '${experiment}' in ${store.uri} (experiments: ${names})` : `name one with --experiment (experiments in ${store.uri}: ${names})`);
  }
  const runs = await store.searchRuns([chosen.experimentId], { filter: "attributes.status = 'FINISHED'", fields: BOARD_FIELDS });
  try {
    return { experiment: chosen.name, rows: leaderboard(parentRunId ? runs.filter((r) => r.data.tags[PARENT_TAG] === parentRunId) : runs, primary) };
  } catch (e) {
    throw e instanceof UnknownMetricError ? new UserError(`--metric: ${e.message}`) : e;
  }
}
