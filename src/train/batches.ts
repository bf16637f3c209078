import { shuffleInPlace } from '../data/rng.js';
import type { Augment } from '../registry/augmentations/index.js';

export interface Batch {
  x: Float32Array;
  indices: number[];
}

/**
 * Yields the epoch's batches: a seeded shuffle of the images, copied into a batch buffer and
 * augmented there, so the decoded data set itself is never changed.
 */
export function* epochBatches(
  x: Float32Array,
  count: number,
  shape: [number, number, number],
  batchSize: number,
  random: () => number,
  augments: Augment[],
): Generator<Batch> {
  const [height, width, channels] = shape;
  const size = height * width * channels;
  const order = shuffleInPlace(Array.from({ length: count }, (_, i) => i), random);
  for (let start = 0; start < count; start += batchSize) {
    const indices = order.slice(start, start + batchSize);
    const batch = new Float32Array(indices.length * size);
    indices.forEach((src, j) => {
      const image = batch.subarray(j * size, (j + 1) * size);
      image.set(x.subarray(src * size, (src + 1) * size));
      for (const augment of augments) augment({ data: image, height, width, channels }, random);
    });
    yield { x: batch, indices };
  }
}
