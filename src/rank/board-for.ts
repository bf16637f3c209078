import { UserError } from '../core/errors.js';
import { ENSEMBLE_TAG, PARENT_TAG, SWEEP_TAG, VERDICT_TAG } from '../runner/record.js';
import { PRUNED_TAG } from '../runner/trial.js';
import type { Run, TrackingStore } from '../tracking/index.js';
import { UnknownMetricError } from '../registry/metrics/index.js';
import { leaderboard, type BoardRow } from './leaderboard.js';
import { ENGINE_TAGS } from './markdown-board.js';
import { REPRODUCE_TAGS } from './reproduce.js';

const DEFAULT_EXPERIMENT = 'Default';
/** What the board reads of a run besides meta and metrics: a file store need not read more. */
const BOARD_FIELDS = { params: ['data.classes', 'targets.*'], tags: [SWEEP_TAG, PARENT_TAG, PRUNED_TAG, VERDICT_TAG] };
/** ... and what its Markdown form adds: each run's command and engine. */
const DETAIL_FIELDS = { params: BOARD_FIELDS.params, tags: [...new Set([...BOARD_FIELDS.tags, ...REPRODUCE_TAGS, ...ENGINE_TAGS])] };

/** The finished runs an ensemble among `runs` averaged that `runs` lack (logged in another experiment), for what the board says of it. */
async function missingMembers(store: TrackingStore, runs: readonly Run[]): Promise<Run[]> {
  const have = new Set(runs.map((r) => r.info.runId));
  const wanted = [...new Set(runs.flatMap((r) => r.data.tags[ENSEMBLE_TAG]?.split(',') ?? []))].filter((id) => !have.has(id));
  const found = await Promise.all(wanted.map((id) => store.getRun(id).catch(() => undefined)));
  return found.filter((r): r is Run => r !== undefined);
}

/**
 * The leaderboard of one experiment, named or (when the store holds one besides MLflow's
 * `Default`) implied, and the runs it was ranked from. With `detail` (what the Markdown board
 * shows) those runs carry their command and engine tags, and the members of its ensembles logged
 * in other experiments come too.
 */
export async function boardFor(store: TrackingStore, experiment: string | undefined, primary: string, parentRunId?: string, detail = false): Promise<{ experiment: string; rows: BoardRow[]; runs: Run[] }> {
  const all = await store.listExperiments();
  const own = all.filter((e) => e.name !== DEFAULT_EXPERIMENT);
  // Named, any experiment (`Default` too); implied, the one besides `Default`, which every store has.
  const chosen = experiment !== undefined ? all.find((e) => e.name === experiment) : own.length === 1 ? own[0] : undefined;
  if (!chosen) {
    const names = own.map((e) => e.name).join(', ') || 'none yet';
    throw new UserError(experiment !== undefined ? `no experiment named '${experiment}' in ${store.uri} (experiments: ${names})` : `name one with --experiment (experiments in ${store.uri}: ${names})`);
  }
  const runs = await store.searchRuns([chosen.experimentId], { filter: "attributes.status = 'FINISHED'", fields: detail ? DETAIL_FIELDS : BOARD_FIELDS });
  let rows: BoardRow[];
  try {
    rows = leaderboard(parentRunId ? runs.filter((r) => r.data.tags[PARENT_TAG] === parentRunId) : runs, primary);
  } catch (e) {
    throw e instanceof UnknownMetricError ? new UserError(`--metric: ${e.message}`) : e;
  }
  return { experiment: chosen.name, rows, runs: detail ? [...runs, ...(await missingMembers(store, runs))] : runs };
}
