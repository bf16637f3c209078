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

  tfjs: (spec, { tf }) => [tf.layers.batchNormalization({ momentum: spec.momentum, epsilon: spec.epsilon })],

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
        return { y: { name: y, shape: x.shape } };
      }
      const mean = g.reduceMean(x.name, axes, true);
      // Centred, then squared: E[x^2] - E[x]^2 saves a pass but cancels in float32 (against float64, 3e-4
      // relative error in y where |mean| / std is 20-40, 2e-2 at 200-400; this form 2e-6, 2e-5): docs/performance.md.
      const xc = g.sub(x.name, mean);
      const variance = g.reduceMean(g.mul(xc, xc), axes, true);
      const invStd = g.op('Reciprocal', [g.op('Sqrt', [g.add(variance, eps)])]);
      // One per-channel scale, so the image is multiplied once forward and its derived gradient makes
      // one product with dy less than (xc * invStd) * gamma (measured: src/engine/onnx/gradients.ts, LAZY_BROADCAST).
      const y = g.add(g.mul(xc, g.mul(gammaB, invStd)), betaB);
      // Keras: moving -= (moving - batch) * (1 - momentum).
      const decay = g.scalar(1 - spec.momentum);
      const ema = (moving: string, batch: string): string => g.sub(moving, g.mul(g.sub(moving, g.reshape(batch, [c])), decay));
      return {
        y: { name: y, shape: x.shape },
        updates: [ema(movingMean, mean), ema(movingVar, variance)],
      };
    },
  },
});
