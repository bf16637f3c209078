import { Type } from '@sinclair/typebox';
import { applyActivation } from '../../engine/onnx/activations.js';
import type { ParamDecl } from '../../engine/onnx/lowering.js';
import type { DenseSpec } from '../../model/spec.js';
import { Params } from '../params.js';
import { activationParam, layer, tfjsActivation, withActivation } from './layer.js';
import { kernelParams, ShapeError } from '../../model/shapes.js';

export const dense = layer({
  name: 'dense',
  summary: 'fully connected layer (Keras Dense)',
  params: Params({
    units: Type.Integer({ minimum: 1, description: 'number of outputs' }),
    activation: activationParam('linear'),
    bias: Type.Boolean({ default: true, description: 'add a learned bias' }),
  }),
  create: (p): DenseSpec => ({ type: 'dense', units: p.units, activation: p.activation, useBias: p.bias }),

  tfjs: (spec, ctx) =>
    withActivation(ctx, ctx.tf.layers.dense({ units: spec.units, activation: tfjsActivation(spec.activation), useBias: spec.useBias, kernelInitializer: ctx.kernelInitializer }), spec.activation),

  shape(spec, [input]) {
    if (input!.length !== 1) throw new ShapeError(`dense needs a flat input, got shape [${input!.join(', ')}]: add flatten or global pooling before it`);
    return { shape: [spec.units], params: kernelParams(input![0]! * spec.units, spec.useBias && spec.units) };
  },

  onnx: {
    params(spec, input) {
      if (input.length !== 2) throw new Error('dense needs a flat input: add flatten or global pooling before it');
      const kernel: ParamDecl = { suffix: 'kernel', shape: [input[1]!, spec.units], init: 'glorot_uniform', trainable: true };
      return spec.useBias ? [kernel, { suffix: 'bias', shape: [spec.units], init: 'zeros', trainable: true }] : [kernel];
    },

    forward({ g }, spec, x, params) {
      const [kernel, bias] = params as [string, string | undefined];
      const z = g.op('Gemm', bias === undefined ? [x.name, kernel] : [x.name, kernel, bias]);
      return { y: { name: applyActivation(g, spec.activation, z), shape: [x.shape[0]!, spec.units] } };
    },
  },
});
