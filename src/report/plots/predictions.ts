import path from 'node:path';
import { imageGrid, pixelsToPng } from './image-grid.js';
import { percent, type Plot } from './render.js';

/** One test image with its true class, the predicted class and the probability given to it. */
export interface PredictionItem {
  pixels: Float32Array;
  trueLabel: string;
  predictedLabel: string;
  /** probability of the predicted class */
  probability: number;
  file?: string;
}

export interface PredictionsData {
  items: readonly PredictionItem[];
  /** [height, width, channels] of each item's pixels */
  shape: [number, number, 1 | 3];
  /** how many tiles to show (default 16) */
  count?: number;
  columns?: number;
  title?: string;
}

/**
 * The `count` items to show, in order: mistakes, the most confident (worst) one first; then
 * correct ones, least confident first, as the borderline cases say most about the model. A
 * quarter of the places is kept for correct ones (when there are any) so that a weak model's
 * grid still shows what it gets right.
 */
export function orderForDisplay<T extends Pick<PredictionItem, 'trueLabel' | 'predictedLabel' | 'probability'>>(items: readonly T[], count: number): T[] {
  const wrong = items.filter((i) => i.trueLabel !== i.predictedLabel).sort((a, b) => b.probability - a.probability);
  const right = items.filter((i) => i.trueLabel === i.predictedLabel).sort((a, b) => a.probability - b.probability);
  const wrongShown = Math.min(wrong.length, count - Math.min(right.length, Math.floor(count / 4)));
  return [...wrong.slice(0, wrongShown), ...right.slice(0, count - wrongShown)];
}

/** A file's name to caption a tile with: long names keep their start and end (a tile is ~25 characters wide). */
export function captionFileName(file: string, max = 26): string {
  const name = path.basename(file);
  if (name.length <= max) return name;
  const keep = max - 1;
  return `${name.slice(0, Math.ceil(keep / 2))}\u2026${name.slice(name.length - Math.floor(keep / 2))}`;
}

/**
 * A grid of test images labelled "True: X" / "Prediction: Y 71.6%" and the file's name (to
 * find it in predictions.csv and on disk), wrong ones framed in red.
 */
export async function predictionsPlot(data: PredictionsData): Promise<Plot> {
  const [height, width, channels] = data.shape;
  const shown = orderForDisplay(data.items, data.count ?? 16);
  const wrongTotal = data.items.filter((i) => i.trueLabel !== i.predictedLabel).length;
  const tile = 150;
  const cells = await Promise.all(
    shown.map(async (item) => {
      const wrong = item.trueLabel !== item.predictedLabel;
      return {
        png: await pixelsToPng(item.pixels, height, width, channels),
        lines: [
          { text: `True: ${item.trueLabel}` },
          { text: `Prediction: ${item.predictedLabel} ${percent(item.probability)}`, color: wrong ? '#c0392b' : '#1e7b34', bold: wrong },
          ...(item.file ? [{ text: captionFileName(item.file), color: '#666' }] : []),
        ],
        frame: wrong ? { color: '#e41a1c', width: 5 } : { color: '#cccccc', width: 1 },
      };
    }),
  );
  return imageGrid({
    title: data.title ?? 'Predictions on the test set',
    subtitle: `${wrongTotal} of ${data.items.length} wrong; showing ${shown.length}, worst mistakes first, then the least sure correct ones (red frame = wrong)`,
    cells,
    columns: data.columns ?? 4,
    tile,
  });
}
