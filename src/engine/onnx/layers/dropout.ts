import type { DropoutSpec } from '../../../model/spec.js';
import type { LayerLowering } from './types.js';

/** Inverted dropout; the scaled keep-mask (0 or 1/(1-rate)) is fed per step from a seeded JS PRNG. */
export const dropout: LayerLowering<DropoutSpec> = {
  params: () => [],

  forward(ctx, spec, x) {
    if (!ctx.training || spec.rate === 0) return { y: x, backward: (dy) => ({ dx: dy, grads: [] }) };
    const mask = ctx.dropoutMask(x.shape, spec.rate);
    return {
      y: { name: ctx.g.mul(x.name, mask), shape: x.shape },
      backward: (dy, needDx) => ({ dx: needDx ? ctx.g.mul(dy, mask) : null, grads: [] }),
    };
  },
};
