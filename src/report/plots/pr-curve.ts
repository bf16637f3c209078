import type { TopLevelSpec } from 'vega-lite';
import { operatingPoint } from './operating-point.js';
import { fmt, renderVegaLite, type Plot } from './render.js';

export interface PrSeries {
  label: string;
  points: readonly { threshold: number; recall: number; precision: number }[];
  averagePrecision: number;
  /** share of positives in the set: the precision of a model that guesses */
  prevalence: number;
}

export interface PrCurveData {
  curves: readonly PrSeries[];
  /** binary: the decision threshold in use, marked on the curve; null: nothing marked */
  threshold: number | null;
  title?: string;
}

/** Precision-recall curve(s) drawn as the step function AP integrates, with AP in the title. */
export async function prCurvePlot(data: PrCurveData): Promise<Plot> {
  const rows = data.curves.flatMap((c) => c.points.map((p, order) => ({ class: c.label, recall: p.recall, precision: p.precision, order })));
  const marked = data.threshold === null || data.curves.length !== 1 ? undefined : operatingPoint(data.curves[0]!.points, data.threshold);
  const point = marked ? [{ recall: marked.recall, precision: marked.precision, label: `threshold ${fmt(data.threshold ?? NaN)}: P ${fmt(marked.precision, 2)}, R ${fmt(marked.recall, 2)}` }] : [];
  const ap = data.curves.length === 1 ? `AP ${fmt(data.curves[0]!.averagePrecision)}` : `macro AP ${fmt(data.curves.reduce((a, c) => a + c.averagePrecision, 0) / data.curves.length)}`;
  const chance = data.curves.map((c) => ({ class: c.label, prevalence: c.prevalence }));
  const axis = (field: 'recall' | 'precision') => ({ field, type: 'quantitative', title: field, scale: { domain: [0, 1] } });
  const color = {
    field: 'class',
    type: 'nominal',
    title: data.curves.length === 1 ? 'positive class' : 'one vs rest',
    legend: { orient: 'bottom-left' },
    scale: { domain: data.curves.map((c) => c.label) },
  };
  const spec = {
    title: data.title ?? `Precision-recall (test set): ${ap}`,
    width: 300,
    height: 300,
    layer: [
      {
        // Chance level: a classifier that guesses has precision equal to the prevalence.
        data: { values: chance },
        mark: { type: 'rule', strokeDash: [4, 4], opacity: 0.6 },
        encoding: { y: { field: 'prevalence', type: 'quantitative' }, color },
      },
      {
        data: { values: rows },
        // AP sums (R_i - R_{i-1}) * P_i: precision holds over each recall step, hence step-before.
        mark: { type: 'line', strokeWidth: 2, interpolate: 'step-before' },
        encoding: { x: axis('recall'), y: axis('precision'), order: { field: 'order', type: 'quantitative' }, color },
      },
      {
        data: { values: point },
        mark: { type: 'point', filled: true, size: 110, color: '#d62728', stroke: 'white' },
        encoding: { x: { field: 'recall', type: 'quantitative' }, y: { field: 'precision', type: 'quantitative' } },
      },
      {
        data: { values: point },
        mark: { type: 'text', align: 'right', dx: -8, dy: 14, color: '#d62728', fontSize: 11 },
        encoding: { x: { field: 'recall', type: 'quantitative' }, y: { field: 'precision', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  };
  return renderVegaLite(spec as TopLevelSpec);
}
