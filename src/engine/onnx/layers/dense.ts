import type { DenseSpec } from '../../../model/spec.js';
import { applyActivation } from './activation-fns.js';
import type { LayerLowering, ParamDecl } from './types.js';

export const dense: LayerLowering<DenseSpec> = {
  params(spec, input) {
    if (input.length !== 2) throw new Error('dense needs a flat input: add flatten or global pooling before it');
    const kernel: ParamDecl = { suffix: 'kernel', shape: [input[1]!, spec.units], init: 'glorot_uniform', trainable: true };
    return spec.useBias ? [kernel, { suffix: 'bias', shape: [spec.units], init: 'zeros', trainable: true }] : [kernel];
  },

  forward({ g }, spec, x, params) {
    const [kernel, bias] = params as [string, string | undefined];
    const z = g.op('Gemm', bias === undefined ? [x.name, kernel] : [x.name, kernel, bias]);
    const act = applyActivation(g, spec.activation, z);
    return {
      y: { name: act.y, shape: [x.shape[0]!, spec.units] },
      backward(dy, needDx) {
        const dz = act.backward(dy);
        const grads = [g.op('Gemm', [x.name, dz], { transA: 1 })];
        if (bias !== undefined) grads.push(g.reduceSum(dz, [0], false));
        return { dx: needDx ? g.op('Gemm', [dz, kernel], { transB: 1 }) : null, grads };
      },
    };
  },
};
