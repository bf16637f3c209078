import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLite, type Plot } from './render.js';

export interface ConfusionMatrixData {
  classes: readonly string[];
  /** matrix[t][p]: samples of true class t predicted as p */
  matrix: readonly (readonly number[])[];
  title?: string;
}

export interface ConfusionCell {
  true: string;
  predicted: string;
  count: number;
  /** count / samples of the true class (that class's recall on the diagonal); 0 for an empty row */
  rate: number;
}

export function confusionCells({ classes, matrix }: ConfusionMatrixData): ConfusionCell[] {
  return matrix.flatMap((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, p) => ({ true: classes[t]!, predicted: classes[p]!, count, rate: total === 0 ? 0 : count / total }));
  });
}

/** Counts (left) and row-normalised rates (right): the rates read as per-class recall and confusion. */
export async function confusionMatrixPlot(data: ConfusionMatrixData): Promise<Plot> {
  const cells = confusionCells(data);
  const n = data.classes.length;
  const side = Math.max(150, Math.min(420, 75 * n));
  const maxCount = Math.max(1, ...cells.map((c) => c.count));
  const axisClasses = { sort: [...data.classes] };
  const heatmap = (field: 'count' | 'rate', title: string, domainMax: number, format: string) => ({
    width: side,
    height: side,
    title,
    data: { values: cells },
    encoding: {
      x: { field: 'predicted', type: 'nominal', title: 'predicted class', ...axisClasses, axis: { labelAngle: 0 } },
      y: { field: 'true', type: 'nominal', title: 'true class', ...axisClasses },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: { color: { field, type: 'quantitative', scale: { scheme: 'blues', domain: [0, domainMax] }, legend: null } },
      },
      {
        mark: { type: 'text', fontSize: n > 6 ? 11 : 16, fontWeight: 'bold' },
        encoding: {
          text: { field, type: 'quantitative', format },
          // Light text on dark cells, dark text on light ones.
          color: { condition: { test: `datum.${field} > ${domainMax * 0.55}`, value: 'white' }, value: '#222222' },
        },
      },
    ],
  });
  const spec = {
    title: data.title ?? 'Confusion matrix (test set)',
    hconcat: [heatmap('count', 'Counts', maxCount, 'd'), heatmap('rate', 'Normalised by true class', 1, '.1%')],
    // Counts and rates have their own colour scales (a shared one would merge [0, max] and [0, 1]).
    resolve: { scale: { color: 'independent' } },
  };
  return renderVegaLite(spec as TopLevelSpec);
}
