import { Type } from '@sinclair/typebox';
import type { DropoutSpec } from '../../model/spec.js';
import { Params } from '../params.js';
import { layer } from './layer.js';

export const dropout = layer({
  name: 'dropout',
  summary: 'randomly zeroes inputs while training (inverted dropout, Keras Dropout)',
  params: Params({
    rate: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0.5, description: 'fraction of inputs dropped' }),
  }),
  create: (p): DropoutSpec => ({ type: 'dropout', rate: p.rate }),

  tfjs: (spec, { tf, random, SeededDropout }) => [random ? new SeededDropout(spec.rate, random) : tf.layers.dropout({ rate: spec.rate })],

  shape: (_spec, [input]) => ({ shape: input!, params: 0 }),

  // Inverted dropout; the scaled keep-mask (0 or 1/(1-rate)) is fed per step from a seeded JS PRNG.
  onnx: {
    params: () => [],

    forward(ctx, spec, x) {
      if (!ctx.training || spec.rate === 0) return { y: x };
      return { y: { name: ctx.g.mul(x.name, ctx.dropoutMask(x.shape, spec.rate)), shape: x.shape } };
    },
  },
});
