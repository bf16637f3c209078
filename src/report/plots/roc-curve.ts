import type { TopLevelSpec } from 'vega-lite';
import { operatingPoint } from './operating-point.js';
import { fmt, renderVegaLite, type Plot } from './render.js';

export interface RocSeries {
  /** the class scored as positive (one-vs-rest with more than two classes) */
  label: string;
  points: readonly { threshold: number; fpr: number; tpr: number }[];
  auc: number;
}

export interface RocCurveData {
  curves: readonly RocSeries[];
  /** binary: the decision threshold in use, marked on the curve; null: nothing marked */
  threshold: number | null;
  title?: string;
}

/** ROC curve(s) with the chance diagonal, AUC in the title, the chosen threshold's point marked. */
export async function rocCurvePlot(data: RocCurveData): Promise<Plot> {
  const rows = data.curves.flatMap((c) => c.points.map((p, order) => ({ class: c.label, fpr: p.fpr, tpr: p.tpr, order })));
  const marked = data.threshold === null || data.curves.length !== 1 ? undefined : operatingPoint(data.curves[0]!.points, data.threshold);
  const point = marked ? [{ fpr: marked.fpr, tpr: marked.tpr, label: `threshold ${fmt(data.threshold ?? NaN)}: TPR ${fmt(marked.tpr, 2)}, FPR ${fmt(marked.fpr, 2)}` }] : [];
  const auc = data.curves.length === 1 ? `AUC ${fmt(data.curves[0]!.auc)}` : `macro AUC ${fmt(data.curves.reduce((a, c) => a + c.auc, 0) / data.curves.length)}`;
  const axis = (field: 'fpr' | 'tpr', title: string) => ({ field, type: 'quantitative', title, scale: { domain: [0, 1] } });
  const spec = {
    title: data.title ?? `ROC curve (test set): ${auc}`,
    width: 300,
    height: 300,
    layer: [
      {
        data: { values: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999999' },
        encoding: { x: axis('fpr', 'false positive rate'), y: axis('tpr', 'true positive rate') },
      },
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x: axis('fpr', 'false positive rate'),
          y: axis('tpr', 'true positive rate'),
          order: { field: 'order', type: 'quantitative' },
          color: {
            field: 'class',
            type: 'nominal',
            title: data.curves.length === 1 ? 'positive class' : 'one vs rest',
            legend: { orient: 'bottom-right' },
            scale: { domain: data.curves.map((c) => c.label) },
          },
        },
      },
      {
        data: { values: point },
        mark: { type: 'point', filled: true, size: 110, color: '#d62728', stroke: 'white' },
        encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' } },
      },
      {
        data: { values: point },
        mark: { type: 'text', align: 'left', dx: 8, dy: 12, color: '#d62728', fontSize: 11 },
        encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  };
  return renderVegaLite(spec as TopLevelSpec);
}
