import { describe, expect, it } from 'vitest';
import { clipByGlobalNorm } from '../../src/engine/optimizer.js';
import { createOptimizer, onnxOptimizers, optimizers } from '../../src/registry/optimizers/index.js';

// Each optimizer's onnx-engine update against PyTorch's formulas, written out here in float64.
const W0 = [0.5, -1.25, 2, 0.01];
const GRADS = [
  [0.3, -0.2, 0.05, 1.5],
  [-0.1, 0.4, -0.6, 0.2],
  [0.25, 0.25, -0.05, -0.7],
];

/** Runs the registry's update for three steps on W0 with GRADS; returns the weights after each. */
function run(config: { name: string } & Record<string, unknown>): number[][] {
  const update = createOptimizer(config).arrays!();
  const w = Float32Array.from(W0);
  return GRADS.map((g) => {
    update.step([w], [Float32Array.from(g)]);
    return Array.from(w);
  });
}

/** PyTorch torch.optim.Adam / AdamW (amsgrad off): decay 'l2' adds wd * w to g; 'decoupled' multiplies w by 1 - lr * wd first. */
function adamReference(lr: number, wd: number, mode: 'l2' | 'decoupled', b1 = 0.9, b2 = 0.999, eps = 1e-7): number[][] {
  const w = [...W0];
  const m = W0.map(() => 0);
  const v = W0.map(() => 0);
  return GRADS.map((grad, step) => {
    const t = step + 1;
    for (let i = 0; i < w.length; i++) {
      let g = grad[i]!;
      if (mode === 'l2') g += wd * w[i]!;
      else w[i] = w[i]! * (1 - lr * wd);
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      const mHat = m[i]! / (1 - b1 ** t);
      const vHat = v[i]! / (1 - b2 ** t);
      w[i] = w[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
    return [...w];
  });
}

/** PyTorch torch.optim.SGD (dampening 0): g += wd * w; b = mu * b + g; w -= lr * (nesterov ? g + mu * b : b). */
function sgdReference(lr: number, mu: number, nesterov: boolean, wd: number): number[][] {
  const w = [...W0];
  const b = W0.map(() => 0);
  return GRADS.map((grad) => {
    for (let i = 0; i < w.length; i++) {
      const g = grad[i]! + wd * w[i]!;
      b[i] = mu * b[i]! + g;
      w[i] = w[i]! - lr * (nesterov ? g + mu * b[i]! : b[i]!);
    }
    return [...w];
  });
}

const expectClose = (got: number[][], want: number[][]) =>
  got.forEach((row, s) => row.forEach((v, i) => expect(v, `step ${s + 1}, weight ${i}`).toBeCloseTo(want[s]![i]!, 6)));

describe('optimizer updates against PyTorch formulas computed by hand', () => {
  it('adamw: decoupled weight decay (w shrinks by lr * wd before the Adam step)', () => {
    const got = run({ name: 'adamw', lr: 0.05, weight_decay: 0.1 });
    expectClose(got, adamReference(0.05, 0.1, 'decoupled'));
    // Not the same as L2: the decay does not go through the moments.
    expect(Math.abs(got[2]![0]! - adamReference(0.05, 0.1, 'l2')[2]![0]!)).toBeGreaterThan(1e-4);
  });

  it('adamw defaults to PyTorch decay 0.01; adam weight_decay is L2 on the gradient', () => {
    expectClose(run({ name: 'adamw', lr: 0.01 }), adamReference(0.01, 0.01, 'decoupled'));
    expectClose(run({ name: 'adam', lr: 0.05, weight_decay: 0.2 }), adamReference(0.05, 0.2, 'l2'));
    expectClose(run({ name: 'adam', lr: 0.05 }), adamReference(0.05, 0, 'l2'));
  });

  it('sgd: weight decay, momentum and nesterov', () => {
    expectClose(run({ name: 'sgd', lr: 0.1, weight_decay: 0.05 }), sgdReference(0.1, 0, false, 0.05));
    expectClose(run({ name: 'sgd', lr: 0.1, momentum: 0.9, weight_decay: 0.05 }), sgdReference(0.1, 0.9, false, 0.05));
    const nesterov = run({ name: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 0.05 });
    expectClose(nesterov, sgdReference(0.1, 0.9, true, 0.05));
    expect(Math.abs(nesterov[2]![3]! - sgdReference(0.1, 0.9, false, 0.05)[2]![3]!)).toBeGreaterThan(1e-3);
  });

  it('state() and restore() continue an update exactly', () => {
    const a = createOptimizer({ name: 'adamw', lr: 0.05, weight_decay: 0.1 }).arrays!();
    const w = Float32Array.from(W0);
    a.step([w], [Float32Array.from(GRADS[0]!)]);
    const b = createOptimizer({ name: 'adamw', lr: 0.05, weight_decay: 0.1 }).arrays!();
    b.restore(a.state());
    const w2 = w.slice();
    a.step([w], [Float32Array.from(GRADS[1]!)]);
    b.step([w2], [Float32Array.from(GRADS[1]!)]);
    expect(w2).toEqual(w);
  });
});

describe('clipping by global norm (train.clip_norm)', () => {
  it('scales every gradient by max_norm / (norm + 1e-6) when the norm is larger, as PyTorch clip_grad_norm_', () => {
    const grads = [Float32Array.from([3, 0]), Float32Array.from([0, 4])];
    expect(clipByGlobalNorm(grads, 1)).toBeCloseTo(5, 6);
    const coef = 1 / (5 + 1e-6);
    expect(Array.from(grads[0]!)).toEqual([3, 0].map((v) => Math.fround(v * coef)));
    expect(Array.from(grads[1]!)).toEqual([0, 4].map((v) => Math.fround(v * coef)));
    const small = [Float32Array.from([0.3, 0.4])];
    clipByGlobalNorm(small, 1);
    expect(Array.from(small[0]!)).toEqual([Math.fround(0.3), Math.fround(0.4)]);
  });
});

describe('the optimizer registry', () => {
  it('knows which optimizers the onnx engine implements, from their own files', () => {
    expect(optimizers.names()).toEqual(['adam', 'adamw', 'rmsprop', 'sgd']);
    expect(onnxOptimizers()).toEqual(['adam', 'adamw', 'sgd']);
    expect(createOptimizer({ name: 'rmsprop' }).arrays).toBeUndefined();
  });
});
