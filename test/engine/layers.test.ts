import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/data/rng.js';
import type { Activation, LayerSpec } from '../../src/model/spec.js';
import { runLayer } from './layer-harness.js';
import { randomArray, relErr, tfjsLayer } from './tfjs-reference.js';

const TOL = 1e-4;

/** Compares the lowering's y, dx, weight grads and state updates with tfjs autodiff on the same layer. */
async function checkLayer(spec: LayerSpec, xShape: number[], seed = 3, levels?: number): Promise<void> {
  const random = mulberry32(seed);
  const uniform = randomArray(xShape.reduce((a, b) => a * b, 1), random);
  // `levels` distinct values only: windows with tied maxima.
  const x = levels === undefined ? uniform : uniform.map((v) => Math.round(((v + 1) / 2) * (levels - 1)));
  const layer = tfjsLayer(spec);
  layer.build(xShape);
  // Random weights (positive variances) instead of the trivial initial ones.
  const isVariance = layer.weights.map((w) => w.name.includes('variance'));
  const params = layer.getWeights().map((w, i) => randomArray(w.size, random, isVariance[i] ? 0.5 : -1, isVariance[i] ? 1.5 : 1));
  layer.setWeights(params.map((p, i) => tf.tensor(p, layer.getWeights()[i]!.shape)));
  let dy: Float32Array = new Float32Array(0);
  const run = await runLayer(spec, xShape, x, params, (yShape) => (dy = randomArray(yShape.reduce((a, b) => a * b, 1), random)));

  const xv = tf.variable(tf.tensor(x, xShape));
  const vars = layer.trainableWeights.map((w) => w.read()).filter((v): v is tf.Variable => v instanceof tf.Variable);
  let y: tf.Tensor | undefined;
  const { grads } = tf.variableGrads(() => {
    y = tf.keep(layer.apply(xv, { training: true }) as tf.Tensor);
    return tf.sum(tf.mul(y, tf.tensor(dy, y.shape)));
  }, [xv, ...vars]);

  expect(run.yShape).toEqual(y!.shape);
  expect(relErr(run.y, y!.dataSync()), 'y').toBeLessThan(TOL);
  expect(relErr(run.dx, grads[xv.name]!.dataSync()), 'dx').toBeLessThan(TOL);
  vars.forEach((v, i) => expect(relErr(run.grads[i]!, grads[v.name]!.dataSync()), `grad ${i}`).toBeLessThan(TOL));
  const state = layer.nonTrainableWeights.map((w) => w.read().dataSync());
  state.forEach((s, i) => expect(relErr(run.updates[i]!, s), `state ${i}`).toBeLessThan(TOL));
}

const conv = (padding: 'same' | 'valid', strides: [number, number], kernel: [number, number] = [3, 3], activation: Activation = 'relu', useBias = true): LayerSpec =>
  ({ type: 'conv2d', filters: 4, kernel, strides, padding, activation, useBias });

describe('conv2d', () => {
  for (const padding of ['same', 'valid'] as const) {
    for (const s of [1, 2]) {
      it(`${padding} stride ${s} even input`, () => checkLayer(conv(padding, [s, s]), [2, 8, 8, 3]));
      it(`${padding} stride ${s} odd input`, () => checkLayer(conv(padding, [s, s]), [2, 9, 7, 2]));
      it(`${padding} stride ${s} many input channels`, () => checkLayer(conv(padding, [s, s]), [2, 7, 6, 9]));
    }
  }
  it('non-square kernel, mixed strides, no bias, one channel', () => checkLayer(conv('same', [2, 1], [2, 3], 'linear', false), [3, 11, 10, 1]));
  it('kernel 5 stride 3 same', () => checkLayer(conv('same', [3, 3], [5, 5], 'tanh'), [2, 10, 11, 2]));
});

describe('pooling', () => {
  for (const type of ['maxpool', 'avgpool'] as const) {
    for (const padding of ['same', 'valid'] as const) {
      it(`${type} ${padding} 2x2/2 odd`, () => checkLayer({ type, size: [2, 2], strides: [2, 2], padding }, [2, 7, 9, 3]));
      it(`${type} ${padding} 3x3/2 overlapping`, () => checkLayer({ type, size: [3, 3], strides: [2, 2], padding }, [2, 9, 8, 2]));
      it(`${type} ${padding} 2x3/1`, () => checkLayer({ type, size: [2, 3], strides: [1, 1], padding }, [2, 6, 7, 2]));
    }
  }
  // On real X-rays 1% of cnn2's first-pool windows with a positive max tie (flat regions, 8-bit pixels):
  // tfjs (and PyTorch) route the gradient to one of them, and so must the rule.
  for (const padding of ['same', 'valid'] as const) {
    it(`maxpool ${padding} 2x2/2 with ties`, () => checkLayer({ type: 'maxpool', size: [2, 2], strides: [2, 2], padding }, [2, 7, 9, 3], 3, 3));
    it(`maxpool ${padding} 3x3/2 overlapping with ties`, () => checkLayer({ type: 'maxpool', size: [3, 3], strides: [2, 2], padding }, [2, 9, 8, 2], 3, 3));
  }
  it('global_avgpool', () => checkLayer({ type: 'global_avgpool' }, [3, 5, 6, 4]));
  it('global_maxpool', () => checkLayer({ type: 'global_maxpool' }, [3, 5, 6, 4]));
});

describe('dense, flatten, batchnorm', () => {
  it('dense relu', () => checkLayer({ type: 'dense', units: 5, activation: 'relu', useBias: true }, [4, 7]));
  it('dense linear no bias', () => checkLayer({ type: 'dense', units: 3, activation: 'linear', useBias: false }, [4, 6]));
  it('flatten multi-channel', () => checkLayer({ type: 'flatten' }, [2, 3, 4, 5]));
  it('flatten one channel', () => checkLayer({ type: 'flatten' }, [2, 3, 4, 1]));
  it('batchnorm on images (train mode)', () => checkLayer({ type: 'batchnorm', momentum: 0.99, epsilon: 1e-3 }, [4, 5, 3, 3]));
  it('batchnorm on vectors (train mode)', () => checkLayer({ type: 'batchnorm', momentum: 0.9, epsilon: 1e-2 }, [6, 5]));
});

describe('activations', () => {
  const acts: Activation[] = ['linear', 'relu', 'relu6', 'sigmoid', 'hard_sigmoid', 'softmax', 'tanh', 'elu', 'leaky_relu', 'gelu', 'swish', 'hard_swish'];
  for (const activation of acts) {
    it(`${activation} on vectors`, () => checkLayer({ type: 'activation', activation }, [4, 6]));
    it(`${activation} on images`, () => checkLayer({ type: 'activation', activation }, [2, 3, 4, 5]));
  }
  it('dense with softmax fused', () => checkLayer({ type: 'dense', units: 4, activation: 'softmax', useBias: true }, [3, 5]));
});

describe('depthwise and separable convolutions, zero padding', () => {
  const depthwise = (padding: 'same' | 'valid', strides: [number, number], depthMultiplier: number, useBias = true): LayerSpec =>
    ({ type: 'depthwise_conv2d', kernel: [3, 3], strides, padding, depthMultiplier, activation: 'relu6', useBias });
  it('depthwise same stride 1', () => checkLayer(depthwise('same', [1, 1], 1), [2, 8, 8, 3]));
  it('depthwise same stride 2 even input', () => checkLayer(depthwise('same', [2, 2], 1), [2, 8, 8, 3]));
  it('depthwise same stride 2 odd input, multiplier 2', () => checkLayer(depthwise('same', [2, 2], 2), [2, 9, 7, 3]));
  it('depthwise valid, no bias', () => checkLayer(depthwise('valid', [1, 1], 1, false), [3, 7, 6, 4]));
  it('depthwise one channel, non-square kernel', () => checkLayer({ type: 'depthwise_conv2d', kernel: [2, 3], strides: [2, 1], padding: 'same', depthMultiplier: 3, activation: 'linear', useBias: true }, [2, 7, 8, 1]));
  it('separable same stride 2', () => checkLayer({ type: 'separable_conv2d', filters: 5, kernel: [3, 3], strides: [2, 2], padding: 'same', depthMultiplier: 1, activation: 'relu', useBias: true }, [2, 9, 8, 3]));
  it('separable valid, multiplier 2, no bias', () => checkLayer({ type: 'separable_conv2d', filters: 4, kernel: [3, 3], strides: [1, 1], padding: 'valid', depthMultiplier: 2, activation: 'linear', useBias: false }, [2, 7, 7, 2]));
  it('zero_padding2d asymmetric', () => checkLayer({ type: 'zero_padding2d', padding: [[0, 1], [2, 1]] }, [2, 5, 4, 3]));
});

describe('dropout', () => {
  it('applies the fed inverted-dropout mask forward and backward', async () => {
    const random = mulberry32(5);
    const x = randomArray(2 * 3 * 4 * 2, random);
    const mask = Float32Array.from(x, (_, i) => (i % 3 === 0 ? 0 : 2));
    const run = await runLayer({ type: 'dropout', rate: 0.5 }, [2, 3, 4, 2], x, [], (s) => new Float32Array(s.reduce((a, b) => a * b, 1)).fill(1), mask);
    // The mask is fed in internal NCHW layout; compare in that layout.
    const nchw = (a: Float32Array): Float32Array => tf.tensor(a, [2, 3, 4, 2]).transpose([0, 3, 1, 2]).dataSync() as Float32Array;
    const xm = nchw(x).map((v, i) => v * mask[i]!);
    expect(relErr(nchw(run.y), xm)).toBeLessThan(1e-7);
    expect(relErr(nchw(run.dx), mask)).toBeLessThan(1e-7);
  });
});
