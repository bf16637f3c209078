import { boardFor } from '../rank/board-for.js';
import type { BoardRow } from '../rank/leaderboard.js';
import type { TrackingStore } from '../tracking/index.js';
import { learningCurvesPlot } from './plots/learning-curves.js';
import { validationOverlayPlot } from './plots/validation-overlay.js';
import { historyFromMetrics } from './run-data.js';

export interface ExperimentRunEntry {
  row: BoardRow;
  /** test ROC AUC (macro one-vs-rest with more than two classes); NaN when not logged */
  auc: number;
  /** the run's params (what its experiment set) */
  params: Record<string, string>;
  /** learning curves drawn from the run's metric histories; null when it logged no epochs */
  curves: Uint8Array | null;
}

export interface ExperimentReportData {
  experiment: string;
  storeUri: string;
  primary: string;
  runs: ExperimentRunEntry[];
  /** params whose value is not the same in every run (set in one and not another counts), sorted */
  differing: string[];
  /** every run's validation curves on shared axes; null when no run logged epochs */
  overlay: Uint8Array | null;
}

/** The run's name is its own column; everything else that differs is what the runs compare. */
const IGNORED_PARAMS = new Set(['name', 'description']);

/** Param keys whose values differ between the runs. */
export function differingParams(runs: readonly Record<string, string>[]): string[] {
  const keys = new Set(runs.flatMap((p) => Object.keys(p)));
  return [...keys].filter((k) => !IGNORED_PARAMS.has(k) && new Set(runs.map((p) => p[k])).size > 1).sort();
}

/** The leaderboard of an experiment (as `exp rank` ranks it) with each run's learning curves and all runs' validation curves overlaid. */
export async function loadExperimentReport(store: TrackingStore, experiment: string | undefined, primary = 'test_accuracy'): Promise<ExperimentReportData> {
  const board = await boardFor(store, experiment, primary);
  const runs: ExperimentRunEntry[] = [];
  const histories: { label: string; history: Awaited<ReturnType<typeof historyFromMetrics>> }[] = [];
  // One run at a time: vega and sharp are CPU-bound, and the order is the board's.
  for (const row of board.rows) {
    const [history, run] = await Promise.all([historyFromMetrics(store, row.runId), store.getRun(row.runId)]);
    const kept = run.data.metrics['kept_epoch'];
    const title = `#${row.rank} ${row.runName}`;
    const curves = history.length ? (await learningCurvesPlot({ history, keptEpoch: kept !== undefined && Number.isFinite(kept) ? kept : null, width: 200, title })).png : null;
    if (history.length) histories.push({ label: title, history });
    runs.push({ row, auc: run.data.metrics['test_auc'] ?? NaN, params: run.data.params, curves });
  }
  const overlay = histories.length ? (await validationOverlayPlot(histories)).png : null;
  return { experiment: board.experiment, storeUri: store.uri, primary, runs, differing: differingParams(runs.map((r) => r.params)), overlay };
}
