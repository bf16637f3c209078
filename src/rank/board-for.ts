import { UserError } from '../cli/errors.js';
import type { TrackingStore } from '../tracking/index.js';
import { leaderboard, type BoardRow } from './leaderboard.js';

/** The leaderboard of one experiment, named or (when the store holds one) implied. */
export async function boardFor(store: TrackingStore, experiment: string | undefined, primary: string, parentRunId?: string): Promise<{ experiment: string; rows: BoardRow[] }> {
  const experiments = (await store.listExperiments()).filter((e) => e.name !== 'Default');
  const chosen = experiment ? experiments.find((e) => e.name === experiment) : experiments.length === 1 ? experiments[0] : undefined;
  if (!chosen) {
    const names = experiments.map((e) => e.name).join(', ') || 'none yet';
    throw new UserError(experiment ? `no experiment named '${experiment}' in ${store.uri} (experiments: ${names})` : `name one with --experiment (experiments in ${store.uri}: ${names})`);
  }
  const runs = await store.searchRuns([chosen.experimentId]);
  return { experiment: chosen.name, rows: leaderboard(parentRunId ? runs.filter((r) => r.data.tags['mlflow.parentRunId'] === parentRunId) : runs, primary) };
}
