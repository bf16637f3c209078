import { Type } from '@sinclair/typebox';
import { imageInput, kernelParams, spatial } from '../../model/shapes.js';
import type { Conv2dSpec, DepthwiseConv2dSpec, SeparableConv2dSpec } from '../../model/spec.js';
import { Params } from '../params.js';
import { conv2d } from './conv2d.js';
import { depthMultiplierParam, depthwiseConv2d } from './depthwise-conv2d.js';
import { convFields, convParams, layer, tfjsActivation, withActivation } from './layer.js';

/** The two halves: a depthwise convolution without bias, then a 1x1 convolution with the bias and activation. */
function halves(spec: SeparableConv2dSpec): [DepthwiseConv2dSpec, Conv2dSpec] {
  return [
    { type: 'depthwise_conv2d', kernel: spec.kernel, strides: spec.strides, padding: spec.padding, depthMultiplier: spec.depthMultiplier, activation: 'linear', useBias: false },
    { type: 'conv2d', filters: spec.filters, kernel: [1, 1], strides: [1, 1], padding: 'valid', activation: spec.activation, useBias: spec.useBias },
  ];
}

export const separableConv2d = layer({
  name: 'separable_conv2d',
  summary: 'depthwise convolution then a 1x1 convolution (Keras SeparableConv2D)',
  params: Params({
    filters: Type.Integer({ minimum: 1, description: 'number of output channels' }),
    ...convParams(),
    depth_multiplier: depthMultiplierParam(),
  }),
  create: (p): SeparableConv2dSpec => ({ type: 'separable_conv2d', filters: p.filters, ...convFields(p), depthMultiplier: p.depth_multiplier }),

  tfjs: (spec, ctx) =>
    withActivation(ctx,
      ctx.tf.layers.separableConv2d({
        filters: spec.filters, kernelSize: spec.kernel, strides: spec.strides, padding: spec.padding, depthMultiplier: spec.depthMultiplier,
        activation: tfjsActivation(spec.activation), useBias: spec.useBias, depthwiseInitializer: ctx.kernelInitializer, pointwiseInitializer: ctx.kernelInitializer,
      }),
      spec.activation,
    ),

  shape(spec, [input]) {
    const [, , c] = imageInput('separable_conv2d', input!);
    const mid = c * spec.depthMultiplier;
    return {
      shape: [...spatial(input!, spec.kernel, spec.strides, spec.padding), spec.filters],
      params: spec.kernel[0] * spec.kernel[1] * mid + kernelParams(mid * spec.filters, spec.useBias && spec.filters),
    };
  },

  // Keras's weights: depthwise_kernel, pointwise_kernel [1, 1, C*M, filters], bias.
  onnx: {
    params(spec, input) {
      const [dw, pw] = halves(spec);
      const [depthwise] = depthwiseConv2d.onnx.params(dw, [input]);
      const mid = input[1]! * spec.depthMultiplier;
      const pointwise = conv2d.onnx.params(pw, [[input[0]!, mid, 1, 1]]).map((d) => (d.suffix === 'kernel' ? { ...d, suffix: 'pointwise_kernel' } : d));
      return [depthwise!, ...pointwise];
    },

    forward(ctx, spec, x, params) {
      const [dw, pw] = halves(spec);
      const [depthwise, pointwise, bias] = params as [string, string, string | undefined];
      const first = depthwiseConv2d.onnx.forward(ctx, dw, [x], [depthwise]);
      return conv2d.onnx.forward(ctx, pw, [first.y], bias === undefined ? [pointwise] : [pointwise, bias]);
    },
  },
});
