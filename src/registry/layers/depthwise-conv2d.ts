import { Type } from '@sinclair/typebox';
import { applyActivation } from '../../engine/onnx/activations.js';
import type { ParamDecl } from '../../engine/onnx/lowering.js';
import { window2d } from '../../engine/onnx/padding.js';
import { imageInput, kernelParams, spatial } from '../../model/shapes.js';
import type { DepthwiseConv2dSpec } from '../../model/spec.js';
import { Params } from '../params.js';
import { convFields, convParams, layer, tfjsActivation, withActivation } from './layer.js';

export const depthMultiplierParam = () => Type.Integer({ minimum: 1, default: 1, description: 'output channels per input channel' });

export const depthwiseConv2d = layer({
  name: 'depthwise_conv2d',
  summary: 'one 2-D convolution per input channel (Keras DepthwiseConv2D)',
  params: Params({ ...convParams(), depth_multiplier: depthMultiplierParam() }),
  create: (p): DepthwiseConv2dSpec => ({ type: 'depthwise_conv2d', ...convFields(p), depthMultiplier: p.depth_multiplier }),

  tfjs: (spec, ctx) =>
    withActivation(ctx,
      ctx.tf.layers.depthwiseConv2d({ kernelSize: spec.kernel, strides: spec.strides, padding: spec.padding, depthMultiplier: spec.depthMultiplier, activation: tfjsActivation(spec.activation), useBias: spec.useBias, depthwiseInitializer: ctx.kernelInitializer }),
      spec.activation,
    ),

  shape(spec, [input]) {
    const [, , c] = imageInput('depthwise_conv2d', input!);
    const out = c * spec.depthMultiplier;
    return { shape: [...spatial(input!, spec.kernel, spec.strides, spec.padding), out], params: kernelParams(spec.kernel[0] * spec.kernel[1] * out, spec.useBias && out) };
  },

  onnx: {
    params(spec, input) {
      const c = input[1]!;
      const kernel: ParamDecl = { suffix: 'depthwise_kernel', shape: [...spec.kernel, c, spec.depthMultiplier], init: 'glorot_uniform', trainable: true };
      return spec.useBias ? [kernel, { suffix: 'bias', shape: [c * spec.depthMultiplier], init: 'zeros', trainable: true }] : [kernel];
    },

    forward({ g }, spec, x, params) {
      const [n, c, h, w] = x.shape as [number, number, number, number];
      const m = spec.depthMultiplier;
      const [kh, kw] = spec.kernel;
      const win = window2d(h, w, spec.kernel, spec.strides, spec.padding);
      const [kernel, bias] = params as [string, string | undefined];
      // tfjs [kh, kw, C, M] -> ONNX grouped [C*M, 1, kh, kw]: output channel c*M + m convolves input channel c.
      const wt = g.reshape(g.transpose(g.reshape(kernel, [kh, kw, c * m]), [2, 0, 1]), [c * m, 1, kh, kw]);
      const attrs = { kernel_shape: spec.kernel, strides: spec.strides, pads: win.pads, group: c };
      const z = g.op('Conv', bias === undefined ? [x.name, wt] : [x.name, wt, bias], attrs);
      return { y: { name: applyActivation(g, spec.activation, z), shape: [n, c * m, win.outH, win.outW] } };
    },
  },
});
