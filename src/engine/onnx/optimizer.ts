// Optimizers in JS over Float32Arrays, with tfjs's exact update rules (tfjs-core adam_optimizer / momentum_optimizer).

export type OptimizerConfig =
  | { name: 'adam'; lr: number; beta1?: number; beta2?: number; epsilon?: number }
  | { name: 'sgd'; lr: number; momentum?: number; nesterov?: boolean };

/** An optimizer's accumulators, for checkpoints. */
export interface OptimizerState {
  arrays: Float32Array[];
  scalars: number[];
}

export interface Optimizer {
  lr: number;
  /** Updates `params[i]` in place from `grads[i]`. */
  step(params: Float32Array[], grads: Float32Array[]): void;
  state(): OptimizerState;
  restore(state: OptimizerState): void;
}

/** tfjs-layers' default epsilon (backend epsilon 1e-7) for the 'adam' string optimizer. */
const ADAM_EPSILON = 1e-7;

function adam(cfg: Extract<OptimizerConfig, { name: 'adam' }>): Optimizer {
  const b1 = cfg.beta1 ?? 0.9;
  const b2 = cfg.beta2 ?? 0.999;
  const eps = cfg.epsilon ?? ADAM_EPSILON;
  const m: Float32Array[] = [];
  const v: Float32Array[] = [];
  // tfjs starts the bias-correction accumulators at beta (not 1) and multiplies after each step.
  let accB1 = b1;
  let accB2 = b2;
  return {
    lr: cfg.lr,
    step(params, grads) {
      const c1 = 1 - accB1;
      const c2 = 1 - accB2;
      const lr = this.lr;
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
          w[i] = w[i]! - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
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

function sgd(cfg: Extract<OptimizerConfig, { name: 'sgd' }>): Optimizer {
  const mom = cfg.momentum ?? 0;
  const nesterov = cfg.nesterov ?? false;
  const acc: Float32Array[] = [];
  return {
    lr: cfg.lr,
    step(params, grads) {
      const lr = this.lr;
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

export function createOptimizer(cfg: OptimizerConfig): Optimizer {
  return cfg.name === 'adam' ? adam(cfg) : sgd(cfg);
}
