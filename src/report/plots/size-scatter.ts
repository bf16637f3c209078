import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLite, type Plot } from './render.js';

export interface SizePoint {
  width: number;
  height: number;
  class: string;
  split: string;
}

/** Image width against height per class (shape by split): shows odd sizes and aspect-ratio drift. */
export async function sizeScatterPlot(points: readonly SizePoint[], title?: string): Promise<Plot> {
  // Identical sizes draw on top of each other: the title says how many points hide there.
  const distinct = new Set(points.map((p) => `${p.width}x${p.height}`)).size;
  const spec = {
    title: title ?? `Image sizes by class: ${points.length} images, ${distinct} distinct size${distinct === 1 ? '' : 's'}`,
    width: 420,
    height: 340,
    data: { values: points },
    mark: { type: 'point', filled: true, opacity: 0.55, size: 45 },
    encoding: {
      // From zero, so aspect ratios read true and a single size still gets a sensible axis.
      x: { field: 'width', type: 'quantitative', title: 'width (px)', scale: { zero: true, nice: true }, axis: { format: 'd' } },
      y: { field: 'height', type: 'quantitative', title: 'height (px)', scale: { zero: true, nice: true }, axis: { format: 'd' } },
      color: { field: 'class', type: 'nominal', title: 'class' },
      shape: { field: 'split', type: 'nominal', title: 'split' },
    },
  };
  return renderVegaLite(spec as TopLevelSpec);
}
