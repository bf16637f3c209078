/** Runs left RUNNING by a process that died hard (SIGKILL, power loss): found and closed. */
import type { Run, RunStatus, TrackingStore } from '../tracking/index.js';
import { ownerOf, ownerState, type OwnerState } from './owner.js';

export const END_REASON_TAG = 'exp.end_reason';

/** A run with its status as a user should read it: a RUNNING run whose process is gone is `stale`. */
export interface RunState {
  run: Run;
  experiment: string;
  status: RunStatus | 'stale';
  /** For a RUNNING run: whether its process lives, and why exp thinks so. */
  owner?: OwnerState;
}

export function stateOf(run: Run, experiment: string, staleMinutes?: number): RunState {
  if (run.info.status !== 'RUNNING') return { run, experiment, status: run.info.status };
  const owner = ownerState(ownerOf(run), staleMinutes);
  return { run, experiment, status: owner.state === 'gone' ? 'stale' : 'RUNNING', owner };
}

/** Every run of the named experiments (all when none is named), newest first. */
export async function runStates(store: TrackingStore, experiments: string[] = [], staleMinutes?: number): Promise<RunState[]> {
  const all = await store.listExperiments();
  const chosen = experiments.length ? all.filter((e) => experiments.includes(e.name)) : all;
  const names = new Map(chosen.map((e) => [e.experimentId, e.name]));
  if (chosen.length === 0) return [];
  const runs = await store.searchRuns([...names.keys()]);
  return runs.map((r) => stateOf(r, names.get(r.info.experimentId) ?? r.info.experimentId, staleMinutes));
}

/** The experiment's RUNNING runs, each RUNNING or stale: what a leaderboard of finished runs leaves out. */
export async function openRunStates(store: TrackingStore, experiment: string, staleMinutes?: number): Promise<RunState[]> {
  const found = await store.getExperimentByName(experiment);
  if (!found) return [];
  const runs = await store.searchRuns([found.experimentId], { filter: "attributes.status = 'RUNNING'" });
  return runs.map((r) => stateOf(r, experiment, staleMinutes));
}

/** Closes a run whose process is gone as KILLED, saying why; its checkpoint stays for `exp resume`. */
export async function closeStaleRun(store: TrackingStore, runId: string, why: string): Promise<void> {
  await store.logBatch(runId, { tags: { [END_REASON_TAG]: `stale: ${why}`.slice(0, 4000) } });
  await store.updateRun(runId, 'KILLED', Date.now());
}
