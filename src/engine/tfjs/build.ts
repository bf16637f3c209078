import * as tf from '@tensorflow/tfjs';
import { LEAKY_RELU_ALPHA, type Activation, type LayerSpec, type ModelSpec } from '../../model/spec.js';
import { SeededDropout } from './seeded-dropout.js';

type TfActivation = 'linear' | 'relu' | 'sigmoid' | 'softmax' | 'tanh' | 'elu' | 'gelu' | 'swish';

/** tfjs has no 'leaky_relu' activation string: that one becomes its own layer after a linear one. */
const tfActivation = (a: Activation): TfActivation => (a === 'leaky_relu' ? 'linear' : a);

function toLayers(spec: LayerSpec, seed: number, random: (() => number) | undefined, inputShape?: number[]): tf.layers.Layer[] {
  const first = inputShape ? { inputShape } : {};
  const kernelInitializer = tf.initializers.glorotUniform({ seed });
  const withLeaky = (layer: tf.layers.Layer, a: Activation) => (a === 'leaky_relu' ? [layer, tf.layers.leakyReLU({ alpha: LEAKY_RELU_ALPHA })] : [layer]);
  switch (spec.type) {
    case 'conv2d':
      return withLeaky(
        tf.layers.conv2d({ ...first, filters: spec.filters, kernelSize: spec.kernel, strides: spec.strides, padding: spec.padding, activation: tfActivation(spec.activation), useBias: spec.useBias, kernelInitializer }),
        spec.activation,
      );
    case 'dense':
      return withLeaky(tf.layers.dense({ ...first, units: spec.units, activation: tfActivation(spec.activation), useBias: spec.useBias, kernelInitializer }), spec.activation);
    case 'maxpool':
      return [tf.layers.maxPooling2d({ ...first, poolSize: spec.size, strides: spec.strides, padding: spec.padding })];
    case 'avgpool':
      return [tf.layers.averagePooling2d({ ...first, poolSize: spec.size, strides: spec.strides, padding: spec.padding })];
    case 'global_avgpool':
      return [tf.layers.globalAveragePooling2d({ ...first })];
    case 'global_maxpool':
      return [tf.layers.globalMaxPooling2d({ ...first })];
    case 'flatten':
      return [tf.layers.flatten({ ...first })];
    case 'dropout':
      return [random ? new SeededDropout(spec.rate, random) : tf.layers.dropout({ rate: spec.rate })];
    case 'batchnorm':
      return [tf.layers.batchNormalization({ ...first, momentum: spec.momentum, epsilon: spec.epsilon })];
    case 'activation':
      return spec.activation === 'leaky_relu' ? [tf.layers.leakyReLU({ ...first, alpha: LEAKY_RELU_ALPHA })] : [tf.layers.activation({ ...first, activation: spec.activation })];
  }
}

/**
 * The tfjs Sequential model of a spec, initialised from `seed` (glorot-uniform kernels seeded
 * per layer, zero biases), so every engine starts a run from the same weights. Without
 * `random` (for export), dropout is tfjs's own layer, so any tfjs can load the model.
 */
export function buildTfModel(spec: ModelSpec, seed: number, random?: () => number): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({ inputShape: spec.inputShape }));
  spec.layers.forEach((layer, i) => {
    for (const l of toLayers(layer, seed + i, random)) model.add(l);
  });
  return model;
}
