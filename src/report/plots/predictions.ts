import path from 'node:path';
import sharp from 'sharp';
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
  /**
   * Heatmaps beside the images: `overlay` draws a shown item (the model's input) with its map,
   * `caption` says what the maps are; or `unavailable`, why there are none.
   */
  heatmaps?: { overlay: (item: PredictionItem) => Promise<Uint8Array>; caption: string } | { unavailable: string };
}

/** Two images of one size side by side, a small gap between: the input and its heatmap. */
async function besideEachOther(left: Uint8Array, right: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const gap = Math.max(1, Math.round(width / 16));
  const out = await sharp({ create: { width: 2 * width + gap, height, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite([
      { input: Buffer.from(left), left: 0, top: 0 },
      { input: Buffer.from(right), left: width + gap, top: 0 },
    ])
    .png()
    .toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
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
  const heatmaps = data.heatmaps && 'overlay' in data.heatmaps ? data.heatmaps : undefined;
  const cells = await Promise.all(
    shown.map(async (item) => {
      const wrong = item.trueLabel !== item.predictedLabel;
      const png = await pixelsToPng(item.pixels, height, width, channels);
      return {
        png: heatmaps ? await besideEachOther(png, await heatmaps.overlay(item), width, height) : png,
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
    subtitle:
      `${wrongTotal} of ${data.items.length} wrong; showing ${shown.length}, worst mistakes first, then the least sure correct ones (red frame = wrong)` +
      (data.heatmaps ? ('overlay' in data.heatmaps ? `; right of each: ${data.heatmaps.caption}` : `; no heatmaps: ${data.heatmaps.unavailable}`) : ''),
    cells,
    columns: data.columns ?? 4,
    tile,
    ...(heatmaps ? { tileWidth: Math.round(tile * 2 * (1 + 1 / 32)) } : {}),
  });
}
