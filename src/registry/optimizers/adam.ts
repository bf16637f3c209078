import { Type } from '@sinclair/typebox';
import type { ArrayOptimizer } from '../../engine/optimizer.js';
import { component } from '../component.js';
import { Params } from '../params.js';
import { addL2, lrParam, tfjsWithDecay, weightDecayParam, type OptimizerComponent } from './optimizer.js';

export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weight_decay: number;
}

export const adamParams = (decay: ReturnType<typeof weightDecayParam>) =>
  Params({
    lr: lrParam(0.001),
    beta1: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0.9 }),
    beta2: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0.999 }),
    epsilon: Type.Number({ exclusiveMinimum: 0, default: 1e-7 }),
    weight_decay: decay,
  });

/**
 * Adam over Float32Arrays with tfjs's exact update (tfjs-core adam_optimizer), which is PyTorch's too:
 * w -= lr * m_hat / (sqrt(v_hat) + eps). Weight decay as L2 on the gradient (adam) or decoupled (adamw).
 */
export function adamArrays(p: AdamParams, decay: 'l2' | 'decoupled'): ArrayOptimizer {
  const { beta1: b1, beta2: b2, epsilon: eps, weight_decay: wd } = p;
  const m: Float32Array[] = [];
  const v: Float32Array[] = [];
  // tfjs starts the bias-correction accumulators at beta (not 1) and multiplies after each step.
  let accB1 = b1;
  let accB2 = b2;
  return {
    lr: p.lr,
    step(params, grads) {
      const c1 = 1 - accB1;
      const c2 = 1 - accB2;
      const lr = this.lr;
      if (decay === 'l2') addL2(params, grads, wd);
      const shrink = decay === 'decoupled' ? 1 - lr * wd : 1;
      params.forEach((w, k) => {
        const g = grads[k]!;
        const mk = (m[k] ??= new Float32Array(w.length));
        const vk = (v[k] ??= new Float32Array(w.length));
        for (let i = 0; i < w.length; i++) {
          const gi = g[i]!;
          const mi = mk[i]! * b1 + gi * (1 - b1);
          const vi = vk[i]! * b2 + gi * gi * (1 - b2);
          mk[i] = mi;
          vk[i] = vi;
          w[i] = w[i]! * shrink - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
        }
      });
      accB1 *= b1;
      accB2 *= b2;
    },
    state: () => ({ arrays: [...m, ...v].map((a) => a.slice()), scalars: [accB1, accB2] }),
    restore({ arrays, scalars }) {
      const half = arrays.length / 2;
      m.splice(0, m.length, ...arrays.slice(0, half).map((a) => a.slice()));
      v.splice(0, v.length, ...arrays.slice(half).map((a) => a.slice()));
      [accB1, accB2] = [scalars[0]!, scalars[1]!];
    },
  };
}

export const adam: OptimizerComponent = {
  onnx: true,
  ...component({
    name: 'adam',
    summary: 'Adam (Kingma & Ba), with tfjs defaults; weight_decay adds decay * w to the gradient (PyTorch Adam)',
    params: adamParams(weightDecayParam('L2 penalty: decay * w added to the gradient')),
    create: (p) => ({
      name: 'adam',
      lr: p.lr,
      arrays: () => adamArrays(p, 'l2'),
      tfjs: (tf) => tfjsWithDecay(tf, tf.train.adam(p.lr, p.beta1, p.beta2, p.epsilon), p.weight_decay, 'l2'),
    }),
  }),
};
