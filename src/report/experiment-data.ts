import { boardFor } from '../rank/board-for.js';
import type { BoardRow } from '../rank/leaderboard.js';
import type { TrackingStore } from '../tracking/index.js';
import { learningCurvesPlot } from './plots/learning-curves.js';
import { historyFromMetrics } from './run-data.js';

export interface ExperimentRunEntry {
  row: BoardRow;
  /** learning curves drawn from the run's metric histories; null when it logged no epochs */
  curves: Uint8Array | null;
}

export interface ExperimentReportData {
  experiment: string;
  storeUri: string;
  primary: string;
  runs: ExperimentRunEntry[];
}

/** The leaderboard of an experiment (as `exp rank` ranks it) with each run's learning curves. */
export async function loadExperimentReport(store: TrackingStore, experiment: string | undefined, primary = 'test_accuracy'): Promise<ExperimentReportData> {
  const board = await boardFor(store, experiment, primary);
  const runs: ExperimentRunEntry[] = [];
  // One run at a time: vega and sharp are CPU-bound, and the order is the board's.
  for (const row of board.rows) {
    const [history, run] = await Promise.all([historyFromMetrics(store, row.runId), store.getRun(row.runId)]);
    const kept = run.data.metrics['kept_epoch'];
    const curves = history.length
      ? (await learningCurvesPlot({ history, keptEpoch: kept !== undefined && Number.isFinite(kept) ? kept : null, width: 200, title: `#${row.rank} ${row.runName}` })).png
      : null;
    runs.push({ row, curves });
  }
  return { experiment: board.experiment, storeUri: store.uri, primary, runs };
}
