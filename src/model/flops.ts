import type { Activation, LayerSpec } from './spec.js';

/**
 * Forward FLOPs of one layer for one image, from its spec and its input and output shapes (NHWC,
 * no batch axis). A multiply-add counts 2 (as MLPerf and the roofline do, unlike fvcore's 1 per
 * MAC); a bias, an activation, a pooling step or an elementwise add/multiply counts 1 per output
 * element; batch norm counts its inference form, a scale and a shift (2). Layers that only move data
 * (flatten, concat, padding) and dropout (nothing at inference) count 0. A training step costs
 * about 3x the forward FLOPs: the backward pass computes a gradient for the input and one for the
 * weights, each about one forward's work.
 */
type FlopRule<S extends LayerSpec> = (spec: S, inputs: number[][], output: number[]) => number;

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const activationFlops = (a: Activation, elements: number): number => (a === 'linear' ? 0 : elements);
const biasFlops = (useBias: boolean, elements: number): number => (useBias ? elements : 0);

const RULES: { [K in LayerSpec['type']]: FlopRule<Extract<LayerSpec, { type: K }>> } = {
  conv2d: (s, [x], y) => 2 * s.kernel[0] * s.kernel[1] * x!.at(-1)! * size(y) + biasFlops(s.useBias, size(y)) + activationFlops(s.activation, size(y)),
  depthwise_conv2d: (s, _x, y) => 2 * s.kernel[0] * s.kernel[1] * size(y) + biasFlops(s.useBias, size(y)) + activationFlops(s.activation, size(y)),
  separable_conv2d: (s, [x], y) => {
    const positions = size(y) / s.filters;
    const mid = x!.at(-1)! * s.depthMultiplier;
    return 2 * s.kernel[0] * s.kernel[1] * positions * mid + 2 * mid * size(y) + biasFlops(s.useBias, size(y)) + activationFlops(s.activation, size(y));
  },
  dense: (s, [x], y) => 2 * x![0]! * s.units + biasFlops(s.useBias, size(y)) + activationFlops(s.activation, size(y)),
  maxpool: (s, _x, y) => s.size[0] * s.size[1] * size(y),
  avgpool: (s, _x, y) => s.size[0] * s.size[1] * size(y),
  global_avgpool: (_s, [x]) => size(x!),
  global_maxpool: (_s, [x]) => size(x!),
  batchnorm: (_s, _x, y) => 2 * size(y),
  activation: (s, _x, y) => activationFlops(s.activation, size(y)),
  add: (_s, x, y) => (x.length - 1) * size(y),
  multiply: (_s, _x, y) => size(y),
  concat: () => 0,
  flatten: () => 0,
  dropout: () => 0,
  zero_padding2d: () => 0,
};

export function forwardFlops<S extends LayerSpec>(spec: S, inputs: number[][], output: number[]): number {
  return (RULES[spec.type] as FlopRule<S>)(spec, inputs, output);
}

/** FLOPs of a training step per image: forward, then the backward's input and weight gradients. */
export const TRAINING_FLOPS_PER_FORWARD = 3;
