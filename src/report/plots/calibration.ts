import type { TopLevelSpec } from 'vega-lite';
import type { ReliabilityBin } from '../../metrics/calibration.js';
import { fmt, renderVegaLite, type Plot } from './render.js';

export interface ReliabilitySeries {
  /** e.g. "after calibration (T = 1.84)" */
  label: string;
  bins: readonly ReliabilityBin[];
  ece: number;
}

export interface CalibrationPlotData {
  /** one series, or the outputs before and after calibration */
  series: readonly ReliabilitySeries[];
  /** images the bins count */
  n: number;
  title?: string;
}

/**
 * Reliability diagram: each non-empty bin's accuracy against its mean top-class probability,
 * the point's area proportional to its images; a calibrated model lies on the diagonal.
 */
export async function calibrationPlot(data: CalibrationPlotData): Promise<Plot> {
  const legend = (s: ReliabilitySeries): string => `${s.label}: ECE ${fmt(s.ece)}`;
  const rows = data.series.flatMap((s) =>
    s.bins.filter((b) => b.count > 0).map((b) => ({ series: legend(s), confidence: b.confidence, accuracy: b.accuracy, images: b.count, bin: `${fmt(b.low, 1)}-${fmt(b.high, 1)}` })),
  );
  const axis = (field: 'confidence' | 'accuracy', title: string) => ({ field, type: 'quantitative', title, scale: { domain: [0, 1] } });
  const x = axis('confidence', 'mean predicted probability of the top class');
  const y = axis('accuracy', 'share correct');
  const color = { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'vertical', labelLimit: 320 }, scale: { domain: data.series.map(legend) } };
  const spec = {
    title: data.title ?? `Reliability (test set, ${data.n} images)`,
    width: 300,
    height: 300,
    layer: [
      {
        data: { values: [{ confidence: 0, accuracy: 0 }, { confidence: 1, accuracy: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999999' },
        encoding: { x, y },
      },
      { data: { values: rows }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color } },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, opacity: 0.85 },
        encoding: {
          x,
          y,
          color,
          size: { field: 'images', type: 'quantitative', title: 'images in bin', scale: { range: [20, 300] }, legend: null },
          tooltip: [{ field: 'series' }, { field: 'bin' }, { field: 'images' }, { field: 'confidence', format: '.3f' }, { field: 'accuracy', format: '.3f' }],
        },
      },
    ],
  };
  return renderVegaLite(spec as TopLevelSpec);
}
