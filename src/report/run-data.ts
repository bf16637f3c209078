import { getRunOrFail, readArtifactIfAny } from '../predict/load-model.js';
import type { Run, TrackingStore } from '../tracking/index.js';
import { learningCurvesPlot, type EpochPoint } from './plots/learning-curves.js';
import { PLOT_ARTIFACT_DIR, RUN_PLOTS } from './run-plots.js';

/** A target as metrics.json stores it (NaN values came through JSON as null). */
export interface SavedTarget {
  name: string;
  metric: string;
  op: string;
  threshold: number;
  value: number | null;
  pass: boolean;
  margin: number | null;
}

export interface ReportImage {
  file: string;
  title: string;
  png: Uint8Array;
  /** how many PNG pixels make one CSS pixel (the PNGs are drawn at 2x for sharp screens) */
  scale: number;
  /** true when drawn now from the logged metrics rather than read from the run's artifacts */
  rerendered: boolean;
}

/** Everything the single-run report shows, read from the tracking store. */
export interface RunReportData {
  run: Run;
  /** config.yaml as logged (the resolved experiment), or null when the run has none */
  configYaml: string | null;
  metrics: Record<string, number>;
  verdict: { pass: boolean; results: SavedTarget[] } | null;
  engine: { name: string; backend: string; device: string } | null;
  history: EpochPoint[];
  keptEpoch: number | null;
  plots: ReportImage[];
}

const EPOCH_KEYS = ['train_loss', 'val_loss', 'train_accuracy', 'val_accuracy'] as const;

/** Per-epoch values from the run's metric histories (step = epoch), as MLflow holds them. */
export async function historyFromMetrics(store: TrackingStore, runId: string): Promise<EpochPoint[]> {
  const series = await Promise.all(EPOCH_KEYS.map((key) => store.getMetricHistory(runId, key).catch(() => [])));
  const byEpoch = new Map<number, EpochPoint>();
  series.forEach((points, k) => {
    for (const p of points) {
      const row = byEpoch.get(p.step) ?? { epoch: p.step, train_loss: NaN, val_loss: NaN, train_accuracy: NaN, val_accuracy: NaN };
      row[EPOCH_KEYS[k]!] = p.value;
      byEpoch.set(p.step, row);
    }
  });
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

function parseJson(bytes: Uint8Array | undefined): unknown {
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The verdict in metrics.json, or null when absent or not in the shape exp writes. */
function savedVerdict(summary: unknown): RunReportData['verdict'] {
  const v = isRecord(summary) ? summary['verdict'] : undefined;
  if (!isRecord(v) || typeof v['pass'] !== 'boolean' || !Array.isArray(v['results'])) return null;
  return { pass: v['pass'], results: v['results'].filter(isRecord) as unknown as SavedTarget[] };
}

/**
 * Reads a run for its report: config, metrics and verdict (metrics.json), the plots it logged
 * under plots/; a run logged without plots (older, or interrupted before they were drawn) still
 * gets learning curves, drawn now from its metric histories.
 */
export async function loadRunReport(store: TrackingStore, runId: string): Promise<RunReportData> {
  const run = await getRunOrFail(store, runId);
  const [configBytes, summaryBytes] = await Promise.all([readArtifactIfAny(store, runId, 'config.yaml'), readArtifactIfAny(store, runId, 'metrics.json')]);
  const summary = parseJson(summaryBytes);
  const saved = isRecord(summary) && isRecord(summary['metrics']) ? summary['metrics'] : {};
  // metrics.json has the final values; the run's metrics fill in for runs that never finished.
  const metrics: Record<string, number> = { ...run.data.metrics };
  for (const [k, v] of Object.entries(saved)) metrics[k] = typeof v === 'number' ? v : NaN;
  const engine = isRecord(summary) && isRecord(summary['engine']) ? (summary['engine'] as RunReportData['engine']) : null;
  const history = await historyFromMetrics(store, runId);
  const keptEpoch = Number.isFinite(metrics['kept_epoch']) ? metrics['kept_epoch']! : null;

  const plots: ReportImage[] = [];
  for (const { file, title, scale } of RUN_PLOTS) {
    const png = await readArtifactIfAny(store, runId, `${PLOT_ARTIFACT_DIR}/${file}`);
    if (png) plots.push({ file, title, png, scale, rerendered: false });
    else if (file === 'learning_curves.png' && history.length > 0) {
      plots.push({ file, title, png: (await learningCurvesPlot({ history, keptEpoch })).png, scale, rerendered: true });
    }
  }
  return {
    run,
    configYaml: configBytes ? new TextDecoder().decode(configBytes) : null,
    metrics,
    verdict: savedVerdict(summary),
    engine,
    history,
    keptEpoch,
    plots,
  };
}
