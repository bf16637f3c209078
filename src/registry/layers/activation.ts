import * as tf from '@tensorflow/tfjs';
import { applyActivation } from '../../engine/onnx/activations.js';
import { LEAKY_RELU_ALPHA, type ActivationSpec } from '../../model/spec.js';
import { Params } from '../params.js';
import { activationParam, layer } from './layer.js';

export const activation = layer({
  name: 'activation',
  summary: 'applies an activation function on its own',
  params: Params({ fn: activationParam('relu') }),
  create: (p): ActivationSpec => ({ type: 'activation', activation: p.fn }),

  tfjs: (spec) => [spec.activation === 'leaky_relu' ? tf.layers.leakyReLU({ alpha: LEAKY_RELU_ALPHA }) : tf.layers.activation({ activation: spec.activation })],

  onnx: {
    params: () => [],

    forward({ g }, spec, x) {
      const act = applyActivation(g, spec.activation, x.name);
      return {
        y: { name: act.y, shape: x.shape },
        backward: (dy, needDx) => ({ dx: needDx ? act.backward(dy) : null, grads: [] }),
      };
    },
  },
});
