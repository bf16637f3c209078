import type { TopLevelSpec } from 'vega-lite';
import type { EpochPoint } from './learning-curves.js';
import { renderVegaLite, type Plot } from './render.js';

export interface OverlayRun {
  /** the run's legend entry, e.g. "#1 cnn2" */
  label: string;
  history: readonly EpochPoint[];
}

/** Validation loss and accuracy per epoch of every run, one line each, on shared axes so runs compare at a glance. */
export async function validationOverlayPlot(runs: readonly OverlayRun[], width = 360): Promise<Plot> {
  const rows = runs.flatMap((r) =>
    r.history.flatMap((h) => [
      ...(Number.isFinite(h.val_loss) ? [{ run: r.label, epoch: h.epoch, metric: 'loss', value: h.val_loss }] : []),
      ...(Number.isFinite(h.val_accuracy) ? [{ run: r.label, epoch: h.epoch, metric: 'accuracy', value: h.val_accuracy }] : []),
    ]),
  );
  const epochs = rows.map((r) => r.epoch);
  const x = { field: 'epoch', type: 'quantitative' as const, title: 'epoch', scale: { domain: [Math.min(1, ...epochs), Math.max(1, ...epochs)] }, axis: { tickMinStep: 1, format: 'd' } };
  // The legend keeps the board's order (rank), not the alphabet's.
  const color = { field: 'run', type: 'nominal' as const, title: 'run', sort: runs.map((r) => r.label), legend: { orient: 'bottom' as const, columns: 3, labelLimit: 260 } };
  const panel = (metric: 'loss' | 'accuracy') => ({
    width,
    height: Math.round(width * 0.62),
    title: metric === 'loss' ? 'Validation loss' : 'Validation accuracy',
    data: { values: rows.filter((r) => r.metric === metric) },
    mark: { type: 'line' as const, point: { filled: true, size: 30 }, strokeWidth: 2 },
    encoding: { x, y: { field: 'value', type: 'quantitative' as const, title: `validation ${metric}`, scale: metric === 'accuracy' ? { domain: [0, 1] } : { zero: false } }, color },
  });
  const spec = { title: 'Validation curves of every run', hconcat: [panel('loss'), panel('accuracy')], resolve: { scale: { color: 'shared' } } };
  return renderVegaLite(spec as TopLevelSpec);
}
