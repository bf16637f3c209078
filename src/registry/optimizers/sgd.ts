import { Type } from '@sinclair/typebox';
import type { ArrayOptimizer } from '../../engine/optimizer.js';
import { component } from '../component.js';
import { Params } from '../params.js';
import { addL2, lrParam, tfjsWithDecay, weightDecayParam, type OptimizerComponent } from './optimizer.js';

const params = Params({
  lr: lrParam(0.01),
  momentum: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0 }),
  nesterov: Type.Boolean({ default: false, description: 'Nesterov momentum (needs momentum > 0)' }),
  weight_decay: weightDecayParam('L2 penalty: decay * w added to the gradient'),
});

/**
 * tfjs's momentum update (tfjs-core momentum_optimizer), which is PyTorch's SGD without dampening:
 * a = momentum * a + g; w -= lr * (nesterov ? g + momentum * a : a).
 */
function sgdArrays(p: { lr: number; momentum: number; nesterov: boolean; weight_decay: number }): ArrayOptimizer {
  const { momentum: mom, nesterov } = p;
  const acc: Float32Array[] = [];
  return {
    lr: p.lr,
    step(params, grads) {
      const lr = this.lr;
      addL2(params, grads, p.weight_decay);
      params.forEach((w, k) => {
        const g = grads[k]!;
        const a = (acc[k] ??= new Float32Array(w.length));
        for (let i = 0; i < w.length; i++) {
          const ai = a[i]! * mom + g[i]!;
          a[i] = ai;
          w[i] = w[i]! - lr * (nesterov ? g[i]! + ai * mom : ai);
        }
      });
    },
    state: () => ({ arrays: acc.map((a) => a.slice()), scalars: [] }),
    restore({ arrays }) {
      acc.splice(0, acc.length, ...arrays.map((a) => a.slice()));
    },
  };
}

export const sgd: OptimizerComponent = {
  onnx: true,
  ...component({
    name: 'sgd',
    summary: 'stochastic gradient descent, optionally with (Nesterov) momentum and L2 weight decay',
    params,
    create: (p) => ({
      name: 'sgd',
      lr: p.lr,
      arrays: () => sgdArrays(p),
      tfjs: (tf) => tfjsWithDecay(tf, p.momentum > 0 ? tf.train.momentum(p.lr, p.momentum, p.nesterov) : tf.train.sgd(p.lr), p.weight_decay, 'l2'),
    }),
  }),
};
