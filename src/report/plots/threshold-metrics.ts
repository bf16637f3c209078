import type { TopLevelSpec } from 'vega-lite';
import { fmt, renderVegaLite, type Plot } from './render.js';

export interface ThresholdMetricsData {
  classes: readonly string[];
  /** ascending threshold; recall indexed by class */
  sweep: readonly { threshold: number; accuracy: number; recall: readonly number[] }[];
  chosen: number;
  /** what the choice maximised, for the title */
  maximize: string;
  /** the recall floor every class had to meet, drawn as a line; null: none */
  minClassRecall: number | null;
  title?: string;
}

/** Long-format rows: accuracy and each class's recall at every candidate threshold. */
export function thresholdRows(data: ThresholdMetricsData): { threshold: number; metric: string; value: number }[] {
  return data.sweep.flatMap((p) => [
    { threshold: p.threshold, metric: 'accuracy', value: p.accuracy },
    ...data.classes.map((name, k) => ({ threshold: p.threshold, metric: `recall ${name}`, value: p.recall[k]! })),
  ]);
}

/** How accuracy and per-class recall trade off against the threshold on validation, and where it was set. */
export async function thresholdMetricsPlot(data: ThresholdMetricsData): Promise<Plot> {
  const metrics = ['accuracy', ...data.classes.map((c) => `recall ${c}`)];
  const chosen = [{ threshold: data.chosen, label: `chosen ${fmt(data.chosen)}` }];
  const floor = data.minClassRecall !== null && data.minClassRecall > 0 ? [{ value: data.minClassRecall, label: `min class recall ${fmt(data.minClassRecall, 2)}` }] : [];
  const spec = {
    title: data.title ?? `Threshold vs metrics (validation): ${fmt(data.chosen)} chosen, maximising ${data.maximize}`,
    width: 520,
    height: 300,
    layer: [
      {
        data: { values: thresholdRows(data) },
        // Metrics change only at the candidates: steps show that honestly.
        mark: { type: 'line', strokeWidth: 2, interpolate: 'step-after' },
        encoding: {
          x: {
            field: 'threshold',
            type: 'quantitative',
            title: `threshold (p(${data.classes[1] ?? 'positive'}) >= t is ${data.classes[1] ?? 'positive'})`,
            // The candidates span only the probabilities seen; a fixed [0, 1] axis would squash them.
            scale: { zero: false, nice: true },
          },
          y: { field: 'value', type: 'quantitative', title: 'metric value', scale: { domain: [0, 1] } },
          color: { field: 'metric', type: 'nominal', title: null, scale: { domain: metrics }, legend: { orient: 'bottom' } },
        },
      },
      {
        data: { values: floor },
        mark: { type: 'rule', strokeDash: [2, 3], color: '#7f7f7f' },
        encoding: { y: { field: 'value', type: 'quantitative' } },
      },
      {
        data: { values: chosen },
        mark: { type: 'rule', strokeDash: [5, 4], color: '#d62728', strokeWidth: 1.5 },
        encoding: { x: { field: 'threshold', type: 'quantitative' } },
      },
      {
        data: { values: chosen },
        mark: { type: 'text', align: 'left', dx: 4, baseline: 'top', color: '#d62728', fontSize: 11 },
        encoding: { x: { field: 'threshold', type: 'quantitative' }, y: { value: 2 }, text: { field: 'label' } },
      },
    ],
  };
  return renderVegaLite(spec as TopLevelSpec);
}
