import { withDefaults } from '../config/ajv.js';
import { normalizeEntry } from '../config/entries.js';
import { ttaViews, type View } from '../registry/tta/index.js';

/** The views of an `evaluate.tta` list (each entry may give several). */
export const ttaViewsOf = (entries: readonly unknown[]): View[] =>
  entries.map(normalizeEntry).flatMap(({ name, params }) => {
    const view = ttaViews.get(name);
    return view.create(withDefaults(view.params, params), undefined);
  });

/**
 * Test-time augmentation: the model's outputs (probabilities) for n images, averaged over the
 * images as they are and each view of them. With no views, the plain outputs.
 */
export async function predictViews(
  predict: (x: Float32Array, n: number) => Promise<Float32Array>,
  x: Float32Array,
  n: number,
  shape: readonly [number, number, number],
  views: readonly View[],
): Promise<Float32Array> {
  const sum = Float64Array.from(await predict(x, n));
  const [height, width, channels] = shape;
  const size = height * width * channels;
  for (const view of views) {
    const moved = x.slice();
    for (let i = 0; i < n; i++) view({ data: moved.subarray(i * size, (i + 1) * size), height, width, channels });
    const out = await predict(moved, n);
    for (let k = 0; k < sum.length; k++) sum[k] = sum[k]! + out[k]!;
  }
  return Float32Array.from(sum, (v) => v / (views.length + 1));
}
