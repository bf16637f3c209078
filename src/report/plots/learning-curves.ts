import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLite, type Plot } from './render.js';

/** One epoch's logged values; NaN (e.g. a missing validation value) is left out of the lines. */
export interface EpochPoint {
  epoch: number;
  train_loss: number;
  val_loss: number;
  train_accuracy: number;
  val_accuracy: number;
}

export interface LearningCurvesData {
  history: EpochPoint[];
  /** The epoch whose weights the model kept (early stopping may restore an earlier one); null if unknown. */
  keptEpoch: number | null;
  title?: string;
  /** Panel width in px; the experiment report shows several runs side by side with smaller panels. */
  width?: number;
}

const SERIES = [
  { metric: 'loss', split: 'train', key: 'train_loss' },
  { metric: 'loss', split: 'validation', key: 'val_loss' },
  { metric: 'accuracy', split: 'train', key: 'train_accuracy' },
  { metric: 'accuracy', split: 'validation', key: 'val_accuracy' },
] as const;

/** Long-format rows (one per epoch, metric and split), the shape vega-lite encodes directly. */
export function learningCurveRows(history: readonly EpochPoint[]): { epoch: number; metric: string; split: string; value: number }[] {
  return history.flatMap((h) =>
    SERIES.filter((s) => Number.isFinite(h[s.key])).map((s) => ({ epoch: h.epoch, metric: s.metric, split: s.split, value: h[s.key] })),
  );
}

/** Train and validation loss (left) and accuracy (right) per epoch, the kept epoch marked by a rule. */
export async function learningCurvesPlot(data: LearningCurvesData): Promise<Plot> {
  const rows = learningCurveRows(data.history);
  const width = data.width ?? 320;
  const epochs = data.history.map((h) => h.epoch);
  const maxEpoch = Math.max(1, ...epochs);
  const kept = data.keptEpoch !== null && data.keptEpoch > 0 ? [{ epoch: data.keptEpoch, label: `kept: epoch ${data.keptEpoch}` }] : [];
  const color = { field: 'split', type: 'nominal', title: null, scale: { domain: ['train', 'validation'], range: ['#1f77b4', '#ff7f0e'] }, legend: { orient: 'bottom' } } as const;
  const x = {
    field: 'epoch',
    type: 'quantitative',
    title: 'epoch',
    scale: { domain: [Math.min(1, ...epochs), maxEpoch] },
    // Whole epochs only: fractional ticks on a 2-epoch run would suggest half epochs exist.
    axis: { tickMinStep: 1, format: 'd' },
  } as const;
  const panelFor = (metric: 'loss' | 'accuracy') => ({
    width,
    height: Math.round(width * 0.62),
    title: metric === 'loss' ? 'Loss' : 'Accuracy',
    layer: [
      {
        data: { values: rows.filter((r) => r.metric === metric) },
        mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: metric, scale: metric === 'accuracy' ? { domain: [0, 1] } : { zero: false } },
          color,
        },
      },
      {
        data: { values: kept },
        mark: { type: 'rule', strokeDash: [5, 4], color: '#2ca02c', strokeWidth: 1.5 },
        encoding: { x: { field: 'epoch', type: 'quantitative' } },
      },
      {
        data: { values: kept },
        // Left of the rule when it is the last epoch, so the label stays inside the panel.
        mark: { type: 'text', align: data.keptEpoch === maxEpoch ? 'right' : 'left', dx: data.keptEpoch === maxEpoch ? -4 : 4, dy: 2, baseline: 'top', color: '#2ca02c', fontSize: 11 },
        encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
      },
    ],
  });
  const spec = {
    title: data.title ?? 'Learning curves',
    hconcat: [panelFor('loss'), panelFor('accuracy')],
    resolve: { scale: { color: 'shared' } },
  };
  return renderVegaLite(spec as TopLevelSpec);
}
