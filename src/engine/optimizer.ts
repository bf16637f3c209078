import type * as tf from '@tensorflow/tfjs';

/**
 * What an engine needs from an optimizer. Each optimizer is one registry file
 * (src/registry/optimizers/) that implements both forms; engines see only this interface.
 */

/** An optimizer's accumulators, for checkpoints. */
export interface OptimizerState {
  arrays: Float32Array[];
  scalars: number[];
}

/** The onnx engine's update: runs in JS on the weights' typed arrays, after the graph gave the gradients. */
export interface ArrayOptimizer {
  lr: number;
  /** Updates `params[i]` in place from `grads[i]`. */
  step(params: Float32Array[], grads: Float32Array[]): void;
  state(): OptimizerState;
  restore(state: OptimizerState): void;
}

/** The tfjs engine's form: tfjs's own optimizer, and how gradients are applied through it (weight decay besides). */
export interface TfjsOptimizer {
  optimizer: tf.Optimizer;
  /** Applies `grads` (by variable name) to `variables` at learning rate `lr`. */
  apply(grads: tf.NamedTensorMap, variables: tf.Variable[], lr: number): void;
}

export interface OptimizerSpec {
  readonly name: string;
  readonly lr: number;
  /** The onnx engine's update; absent where that engine has none (it then trains on tfjs). */
  arrays?: () => ArrayOptimizer;
  /** Given the tfjs module (so the registry never loads it), tfjs's form. */
  tfjs(tfjs: typeof tf): TfjsOptimizer;
}

/**
 * Scales gradients in place so their global L2 norm is at most `maxNorm`, as PyTorch's
 * clip_grad_norm_ does (coefficient maxNorm / (norm + 1e-6), applied only when below 1). Returns the norm.
 */
export function clipByGlobalNorm(grads: Float32Array[], maxNorm: number): number {
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i]! * g[i]!;
  const norm = Math.sqrt(sum);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef;
  return norm;
}

/** The same clip on tfjs gradients; returns new tensors (the caller tidies). */
export function clipTensorsByGlobalNorm(tfjs: typeof tf, grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const names = Object.keys(grads);
  const norm = tfjs.sqrt(tfjs.addN(names.map((n) => tfjs.sum(tfjs.square(grads[n]!)))));
  const coef = tfjs.minimum(tfjs.div(maxNorm, tfjs.add(norm, 1e-6)), 1);
  return Object.fromEntries(names.map((n) => [n, tfjs.mul(grads[n]!, coef)]));
}
