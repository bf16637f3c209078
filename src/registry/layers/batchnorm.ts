import * as tf from '@tensorflow/tfjs';
import { Type } from '@sinclair/typebox';
import type { BatchNormSpec } from '../../model/spec.js';
import { Params } from '../params.js';
import { layer } from './layer.js';

export const batchnorm = layer({
  name: 'batchnorm',
  summary: 'batch normalisation over channels with running statistics (Keras BatchNormalization)',
  params: Params({
    momentum: Type.Number({ minimum: 0, maximum: 1, default: 0.99, description: 'running statistics momentum' }),
    epsilon: Type.Number({ exclusiveMinimum: 0, default: 0.001, description: 'added to the variance' }),
  }),
  create: (p): BatchNormSpec => ({ type: 'batchnorm', momentum: p.momentum, epsilon: p.epsilon }),

  tfjs: (spec) => [tf.layers.batchNormalization({ momentum: spec.momentum, epsilon: spec.epsilon })],

  // gamma, beta and the two running statistics, per channel (Keras counts all four).
  shape: (_spec, [input]) => ({ shape: input!, params: 4 * input!.at(-1)! }),

  // Batch norm over the channel axis (tfjs axis -1 = internal axis 1); biased batch variance as tf.moments.
  onnx: {
    params(_spec, input) {
      const c = input[1]!;
      return [
        { suffix: 'gamma', shape: [c], init: 'ones', trainable: true },
        { suffix: 'beta', shape: [c], init: 'zeros', trainable: true },
        { suffix: 'moving_mean', shape: [c], init: 'zeros', trainable: false },
        { suffix: 'moving_variance', shape: [c], init: 'ones', trainable: false },
      ];
    },

    forward({ g, training }, spec, x, params) {
      const [gamma, beta, movingMean, movingVar] = params as [string, string, string, string];
      const c = x.shape[1]!;
      const image = x.shape.length === 4;
      const axes = image ? [0, 2, 3] : [0];
      const bshape = image ? [1, c, 1, 1] : [1, c];
      const gammaB = g.reshape(gamma, bshape);
      const betaB = g.reshape(beta, bshape);
      const eps = g.scalar(spec.epsilon);
      if (!training) {
        const scale = g.mul(gammaB, g.op('Reciprocal', [g.op('Sqrt', [g.add(g.reshape(movingVar, bshape), eps)])]));
        const y = g.add(g.mul(g.sub(x.name, g.reshape(movingMean, bshape)), scale), betaB);
        // Gradients through the frozen statistics: what Grad-CAM needs at a layer before a batch norm.
        return { y: { name: y, shape: x.shape }, backward: (dy, needDx) => ({ dx: needDx ? g.mul(dy, scale) : null, grads: [] }) };
      }
      const mean = g.reduceMean(x.name, axes, true);
      const xc = g.sub(x.name, mean);
      const variance = g.reduceMean(g.mul(xc, xc), axes, true);
      const invStd = g.op('Reciprocal', [g.op('Sqrt', [g.add(variance, eps)])]);
      const xhat = g.mul(xc, invStd);
      const y = g.add(g.mul(xhat, gammaB), betaB);
      // Keras: moving -= (moving - batch) * (1 - momentum).
      const decay = g.scalar(1 - spec.momentum);
      const ema = (moving: string, batch: string): string => g.sub(moving, g.mul(g.sub(moving, g.reshape(batch, [c])), decay));
      return {
        y: { name: y, shape: x.shape },
        updates: [ema(movingMean, mean), ema(movingVar, variance)],
        backward(dy, needDx) {
          const dbeta = g.reduceSum(dy, axes, true);
          const dgamma = g.reduceSum(g.mul(dy, xhat), axes, true);
          const grads = [g.reshape(dgamma, [c]), g.reshape(dbeta, [c])];
          if (!needDx) return { dx: null, grads };
          // dx = gamma*invStd * (dy - mean(dy) - xhat*mean(dy*xhat)), means over the reduced axes.
          const count = axes.reduce((m, a) => m * x.shape[a]!, 1);
          const inv = g.scalar(1 / count);
          const centered = g.sub(g.sub(dy, g.mul(dbeta, inv)), g.mul(xhat, g.mul(dgamma, inv)));
          return { dx: g.mul(centered, g.mul(gammaB, invStd)), grads };
        },
      };
    },
  },
});
