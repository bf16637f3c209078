// Builds the tfjs equivalent of an engine spec: the reference the engine must match.
import * as tf from '@tensorflow/tfjs';
import type { Activation, LayerSpec, ModelSpec } from '../../src/model/spec.js';
import { LEAKY_RELU_ALPHA } from '../../src/model/spec.js';

type TfActivation = 'linear' | 'relu' | 'sigmoid' | 'softmax' | 'tanh' | 'elu' | 'gelu' | 'swish';

function tfActivation(a: Activation): TfActivation {
  if (a === 'leaky_relu') throw new Error('leaky_relu exists in tfjs only as a layer');
  return a;
}

/** `seed` fixes the kernel initialiser, so a check sees the same weights on every run. */
export function tfjsLayer(spec: LayerSpec, seed?: number): tf.layers.Layer {
  const kernelInitializer = seed === undefined ? undefined : tf.initializers.glorotUniform({ seed });
  switch (spec.type) {
    case 'conv2d':
      return tf.layers.conv2d({ filters: spec.filters, kernelSize: spec.kernel, strides: spec.strides, padding: spec.padding, activation: tfActivation(spec.activation), useBias: spec.useBias, kernelInitializer });
    case 'maxpool':
      return tf.layers.maxPooling2d({ poolSize: spec.size, strides: spec.strides, padding: spec.padding });
    case 'avgpool':
      return tf.layers.averagePooling2d({ poolSize: spec.size, strides: spec.strides, padding: spec.padding });
    case 'global_avgpool':
      return tf.layers.globalAveragePooling2d({});
    case 'global_maxpool':
      return tf.layers.globalMaxPooling2d({});
    case 'flatten':
      return tf.layers.flatten();
    case 'dense':
      return tf.layers.dense({ units: spec.units, activation: tfActivation(spec.activation), useBias: spec.useBias, kernelInitializer });
    case 'dropout':
      return tf.layers.dropout({ rate: spec.rate });
    case 'batchnorm':
      return tf.layers.batchNormalization({ momentum: spec.momentum, epsilon: spec.epsilon });
    case 'activation':
      return spec.activation === 'leaky_relu' ? tf.layers.leakyReLU({ alpha: LEAKY_RELU_ALPHA }) : tf.layers.activation({ activation: tfActivation(spec.activation) });
  }
}

export function tfjsModel(spec: ModelSpec, seed = 1): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: spec.inputShape }), ...spec.layers.map((l, i) => tfjsLayer(l, seed + i))] });
}

/** ||a - b|| / ||b||: the relative error used by every check. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += b[i]! ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
}

export function randomArray(n: number, random: () => number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * random());
}
