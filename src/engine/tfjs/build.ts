import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../../model/spec.js';
import { layerOf } from '../../registry/layers/index.js';

/**
 * The tfjs Sequential model of a spec, initialised from `seed` (glorot-uniform kernels seeded
 * per layer, zero biases), so every engine starts a run from the same weights. Without
 * `random` (for export), dropout is tfjs's own layer, so any tfjs can load the model.
 */
export function buildTfModel(spec: ModelSpec, seed: number, random?: () => number): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({ inputShape: spec.inputShape }));
  spec.layers.forEach((layer, i) => {
    const ctx = { kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }), random };
    for (const l of layerOf(layer).tfjs(layer, ctx)) model.add(l);
  });
  return model;
}
