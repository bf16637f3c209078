import type { ParamInfo } from './build.js';

/** Keras-default initial values: glorot-uniform kernels, zero biases/betas/means, unit gammas/variances. */
export function initialWeights(params: ParamInfo[], random: () => number): Float32Array[] {
  return params.map((p) => {
    const w = new Float32Array(p.shape.reduce((a, b) => a * b, 1));
    if (p.init === 'ones') w.fill(1);
    if (p.init === 'glorot_uniform') {
      // Kernels are [..receptive, in, out] in tfjs layout.
      const receptive = p.shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const limit = Math.sqrt(6 / (receptive * (p.shape[p.shape.length - 2]! + p.shape[p.shape.length - 1]!)));
      for (let i = 0; i < w.length; i++) w[i] = (random() * 2 - 1) * limit;
    }
    return w;
  });
}

/** Inverted-dropout mask: 1/(1-rate) where kept (u >= rate, as tfjs's floor(u + keep)), else 0. */
export function fillDropoutMask(mask: Float32Array, rate: number, random: () => number): void {
  const scale = 1 / (1 - rate);
  for (let i = 0; i < mask.length; i++) mask[i] = random() >= rate ? scale : 0;
}
