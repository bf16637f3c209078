// Forward FLOPs per image against counts worked out by hand (a multiply-add is 2 FLOPs).
import { describe, expect, it } from 'vitest';
import { forwardFlops } from '../../src/model/flops.js';
import { formatSummary, summarize } from '../../src/model/summary.js';
import { chain, type Conv2dSpec, type DenseSpec, type DepthwiseConv2dSpec, type SeparableConv2dSpec } from '../../src/model/spec.js';
import { layerOf } from '../../src/registry/layers/index.js';

const conv = (over: Partial<Conv2dSpec>): Conv2dSpec => ({ type: 'conv2d', filters: 16, kernel: [3, 3], strides: [1, 1], padding: 'same', activation: 'linear', useBias: false, ...over });

/** FLOPs of a layer on an input shape, with the output shape from the layer's own shape function. */
const flopsOn = (spec: Parameters<typeof forwardFlops>[0], input: number[]): number => forwardFlops(spec, [input], layerOf(spec).shape(spec, [input], ['input']).shape);

describe('forward FLOPs', () => {
  it('conv2d: 2 x kernel area x input channels per output element, plus bias and activation', () => {
    // 32x32x16 outputs, each 3*3*3 = 27 multiply-adds; bias and relu 1 each.
    expect(flopsOn(conv({ activation: 'relu', useBias: true }), [32, 32, 3])).toBe(32 * 32 * 16 * (2 * 27 + 1 + 1));
    // Stride 2, valid: 9x9 -> 4x4, 8 filters over 4 channels.
    expect(flopsOn(conv({ filters: 8, strides: [2, 2], padding: 'valid' }), [9, 9, 4])).toBe(4 * 4 * 8 * 2 * 9 * 4);
  });

  it('dense: 2 x inputs x units, plus bias and activation', () => {
    const dense: DenseSpec = { type: 'dense', units: 10, activation: 'sigmoid', useBias: true };
    expect(flopsOn(dense, [100])).toBe(2 * 100 * 10 + 10 + 10);
  });

  it('depthwise_conv2d: 2 x kernel area per output element (one input channel each)', () => {
    const dw: DepthwiseConv2dSpec = { type: 'depthwise_conv2d', kernel: [3, 3], strides: [1, 1], padding: 'same', depthMultiplier: 2, activation: 'linear', useBias: false };
    expect(flopsOn(dw, [16, 16, 8])).toBe(16 * 16 * 16 * 2 * 9);
  });

  it('separable_conv2d: the depthwise half plus the 1x1 half with the bias', () => {
    const sep: SeparableConv2dSpec = { type: 'separable_conv2d', filters: 32, kernel: [3, 3], strides: [1, 1], padding: 'same', depthMultiplier: 1, activation: 'linear', useBias: true };
    const depthwise = 16 * 16 * 8 * 2 * 9;
    const pointwise = 16 * 16 * 32 * 2 * 8;
    expect(flopsOn(sep, [16, 16, 8])).toBe(depthwise + pointwise + 16 * 16 * 32);
  });

  it('the summary sums the nodes and prints the forward and training totals', () => {
    const model = chain([32, 32, 3], [conv({ useBias: true }), { type: 'maxpool', size: [2, 2], strides: [2, 2], padding: 'valid' }, { type: 'flatten' }, { type: 'dense', units: 1, activation: 'sigmoid', useBias: true }]);
    const { layers, totalFlops } = summarize(model);
    const convFlops = 32 * 32 * 16 * (2 * 27 + 1);
    const poolFlops = 16 * 16 * 16 * 4;
    const denseFlops = 2 * 4096 + 1 + 1;
    expect(layers.map((l) => l.flops)).toEqual([convFlops, poolFlops, 0, denseFlops]);
    expect(totalFlops).toBe(convFlops + poolFlops + denseFlops);
    const text = formatSummary(model);
    expect(text).toContain(`forward FLOPs per image: ${(totalFlops / 1e9).toFixed(3)} G`);
    expect(text).toContain(`training step ~3x: ${((3 * totalFlops) / 1e9).toFixed(3)} G`);
    expect(text.split('\n')[0]).toMatch(/params\s+MFLOPs$/);
  });
});
