import { applyActivation } from '../../engine/onnx/activations.js';
import type { ActivationSpec } from '../../model/spec.js';
import { Params } from '../params.js';
import { activationLayer, activationParam, layer } from './layer.js';

export const activation = layer({
  name: 'activation',
  summary: 'applies an activation function on its own',
  params: Params({ fn: activationParam('relu') }),
  create: (p): ActivationSpec => ({ type: 'activation', activation: p.fn }),

  tfjs: (spec, ctx) => [activationLayer(ctx, spec.activation)],

  shape: (_spec, [input]) => ({ shape: input!, params: 0 }),

  onnx: {
    params: () => [],

    forward({ g }, spec, x) {
      return { y: { name: applyActivation(g, spec.activation, x.name), shape: x.shape } };
    },
  },
});
