import { normalizeEntry } from '../config/entries.js';
import type { ValidatedExperiment } from '../config/validate.js';
import { loadDataset } from '../data/index.js';
import { mulberry32, shuffleInPlace } from '../data/rng.js';
import { augmentations, isBatchAugment, type Augment } from '../registry/augmentations/index.js';
import { imageGrid, pixelsToPng, type GridCell } from '../report/plots/image-grid.js';
import type { Plot } from '../report/plots/render.js';
import { datasetOptions } from '../runner/dataset-options.js';
import { encodeLabels, headFor } from '../model/head.js';

/**
 * What an experiment's `augment:` list feeds the model: a few training images (one row each),
 * first as loaded, then as `views` augmented draws, seeded by train.seed. Batch augmentations
 * (mixup, cutmix) mix each column's images with each other, as they mix a training batch, and
 * the caption gives the mixed target.
 */
export async function augmentPreview(exp: ValidatedExperiment, options: { images?: number; views?: number } = {}): Promise<Plot> {
  const dataset = await loadDataset(datasetOptions(exp));
  const { train, classes, shape } = dataset;
  const [height, width, channels] = shape;
  const size = height * width * channels;
  const random = mulberry32(exp.config.train.seed);
  const created = exp.config.augment.map(normalizeEntry).map(({ name, params }) => augmentations.get(name).create(params, undefined));
  const imageAugments = created.filter((a): a is Augment => !isBatchAugment(a));
  const batchAugments = created.filter(isBatchAugment);
  const rows = shuffleInPlace(Array.from({ length: train.count }, (_, i) => i), random).slice(0, options.images ?? 6);
  const views = options.views ?? 5;
  const { units } = headFor(classes.length);
  const labels = rows.map((i) => train.y[i]!);
  const original = rows.map((i) => train.x.slice(i * size, (i + 1) * size));

  // columns[v]: the rows' images in view v (0: as loaded), with their targets.
  const columns: { x: Float32Array; targets: Float32Array }[] = [{ x: concat(original), targets: encodeLabels(labels, units) }];
  for (let v = 0; v < views; v++) {
    const x = concat(original);
    rows.forEach((_, r) => {
      for (const augment of imageAugments) augment({ data: x.subarray(r * size, (r + 1) * size), height, width, channels }, random);
    });
    const targets = encodeLabels(labels, units);
    const weights = new Float32Array(rows.length).fill(1);
    for (const mix of batchAugments) mix.mixBatch({ x, targets, weights, n: rows.length, units, image: { height, width, channels } }, random);
    columns.push({ x, targets });
  }

  const caption = (targets: Float32Array, r: number): string => {
    if (units === 1) {
      const t = targets[r]!;
      return t === 0 || t === 1 ? classes[t]! : `${classes[1]} ${t.toFixed(2)}`;
    }
    const row = Array.from(targets.subarray(r * units, (r + 1) * units));
    return row.some((t) => t !== 0 && t !== 1) ? row.map((t, k) => (t > 0 ? `${classes[k]} ${t.toFixed(2)}` : '')).filter(Boolean).join(', ') : classes[row.indexOf(1)]!;
  };
  const cells: GridCell[] = [];
  for (let r = 0; r < rows.length; r++) {
    for (const [v, column] of columns.entries()) {
      cells.push({
        png: await pixelsToPng(column.x.subarray(r * size, (r + 1) * size), height, width, channels as 1 | 3),
        lines: [{ text: v === 0 ? 'as loaded' : caption(column.targets, r), bold: v === 0 }],
      });
    }
  }
  const list = exp.config.augment.map((e) => normalizeEntry(e).name).join(', ') || 'none';
  return imageGrid({
    title: `Augmented training images: ${exp.config.name}`,
    subtitle: `augment: ${list} (seed ${exp.config.train.seed}); first column as loaded, then ${views} draws`,
    cells,
    columns: columns.length,
    tile: 120,
    rowLabels: labels.map((l) => classes[l]!),
  });
}

function concat(images: Float32Array[]): Float32Array {
  const out = new Float32Array(images.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of images) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}
