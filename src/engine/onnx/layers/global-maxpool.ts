import type { GlobalMaxPoolSpec } from '../../../model/spec.js';
import type { LayerLowering } from './types.js';

export const globalMaxpool: LayerLowering<GlobalMaxPoolSpec> = {
  params: () => [],

  forward({ g }, _spec, x) {
    const [n, c] = x.shape as [number, number];
    const yKeep = g.op('ReduceMax', [x.name], { axes: [2, 3], keepdims: 1 });
    return {
      y: { name: g.reshape(yKeep, [-1, c]), shape: [n, c] },
      backward(dy, needDx) {
        if (!needDx) return { dx: null, grads: [] };
        // tfjs's max gradient goes to every position equal to the max (ties included).
        const mask = g.op('Cast', [g.op('Equal', [x.name, yKeep])], { to: 1 });
        return { dx: g.mul(mask, g.reshape(dy, [-1, c, 1, 1])), grads: [] };
      },
    };
  },
};
