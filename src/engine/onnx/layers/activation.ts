import type { ActivationSpec } from '../../../model/spec.js';
import { applyActivation } from './activation-fns.js';
import type { LayerLowering } from './types.js';

export const activation: LayerLowering<ActivationSpec> = {
  params: () => [],

  forward({ g }, spec, x) {
    const act = applyActivation(g, spec.activation, x.name);
    return {
      y: { name: act.y, shape: x.shape },
      backward: (dy, needDx) => ({ dx: needDx ? act.backward(dy) : null, grads: [] }),
    };
  },
};
