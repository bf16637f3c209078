import { Type } from '@sinclair/typebox';
import { applyActivation } from '../../engine/onnx/activations.js';
import type { ParamDecl } from '../../engine/onnx/lowering.js';
import { window2d } from '../../engine/onnx/padding.js';
import type { Conv2dSpec } from '../../model/spec.js';
import { Params } from '../params.js';
import { convFields, convParams, layer, tfjsActivation, withActivation } from './layer.js';
import { imageInput, kernelParams, spatial } from '../../model/shapes.js';

export const conv2d = layer({
  name: 'conv2d',
  summary: '2-D convolution (Keras Conv2D)',
  params: Params({
    filters: Type.Integer({ minimum: 1, description: 'number of output channels' }),
    ...convParams(),
  }),
  create: (p): Conv2dSpec => ({ type: 'conv2d', filters: p.filters, ...convFields(p) }),

  tfjs: (spec, ctx) =>
    withActivation(ctx,
      ctx.tf.layers.conv2d({ filters: spec.filters, kernelSize: spec.kernel, strides: spec.strides, padding: spec.padding, activation: tfjsActivation(spec.activation), useBias: spec.useBias, kernelInitializer: ctx.kernelInitializer }),
      spec.activation,
    ),

  shape(spec, [input]) {
    const [, , c] = imageInput('conv2d', input!);
    return { shape: [...spatial(input!, spec.kernel, spec.strides, spec.padding), spec.filters], params: kernelParams(spec.kernel[0] * spec.kernel[1] * c * spec.filters, spec.useBias && spec.filters) };
  },

  onnx: {
    params(spec, input) {
      const [kh, kw] = spec.kernel;
      const kernel: ParamDecl = { suffix: 'kernel', shape: [kh, kw, input[1]!, spec.filters], init: 'glorot_uniform', trainable: true };
      return spec.useBias ? [kernel, { suffix: 'bias', shape: [spec.filters], init: 'zeros', trainable: true }] : [kernel];
    },

    forward({ g }, spec, x, params) {
      const [n, , h, w] = x.shape as [number, number, number, number];
      const win = window2d(h, w, spec.kernel, spec.strides, spec.padding);
      const [kernel, bias] = params as [string, string | undefined];
      // tfjs kernel [kh, kw, in, out] -> ONNX [out, in, kh, kw].
      const wt = g.transpose(kernel, [3, 2, 0, 1]);
      const convAttrs = { kernel_shape: spec.kernel, strides: spec.strides, pads: win.pads };
      const z = g.op('Conv', bias === undefined ? [x.name, wt] : [x.name, wt, bias], convAttrs);
      return { y: { name: applyActivation(g, spec.activation, z), shape: [n, spec.filters, win.outH, win.outW] } };
    },
  },
});
