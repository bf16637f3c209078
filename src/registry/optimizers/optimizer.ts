import { Type } from '@sinclair/typebox';
import type * as tf from '@tensorflow/tfjs';
import type { OptimizerSpec, TfjsOptimizer } from '../../engine/optimizer.js';
import type { Component } from '../component.js';

export type { OptimizerSpec } from '../../engine/optimizer.js';

/** An optimizer: its params schema, and (in its create) both engines' forms of its update. */
export type OptimizerComponent = Component<void, OptimizerSpec> & {
  /** Whether the onnx engine implements it (asked before a run exists: validation, --dry-run). */
  readonly onnx: boolean;
};

export const lrParam = (fallback: number) =>
  Type.Number({ exclusiveMinimum: 0, maximum: 10, default: fallback, description: 'learning rate' });

export const weightDecayParam = (description: string, fallback = 0) => Type.Number({ minimum: 0, maximum: 1, default: fallback, description });

/**
 * Weight decay in tfjs, which has none: `l2` adds decay * w to each gradient before the update
 * (PyTorch's weight_decay on SGD and Adam); `decoupled` shrinks each weight by lr * decay before
 * the update (PyTorch's AdamW, Loshchilov & Hutter).
 */
export function tfjsWithDecay(tfjs: typeof tf, optimizer: tf.Optimizer, decay: number, mode: 'l2' | 'decoupled'): TfjsOptimizer {
  return {
    optimizer,
    apply(grads, variables, lr) {
      if (decay === 0) return optimizer.applyGradients(grads);
      if (mode === 'decoupled') {
        tfjs.tidy(() => variables.forEach((v) => v.assign(tfjs.mul(v, 1 - lr * decay))));
        return optimizer.applyGradients(grads);
      }
      tfjs.tidy(() => {
        const byName = new Map(variables.map((v) => [v.name, v]));
        optimizer.applyGradients(Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tfjs.add(g, tfjs.mul(byName.get(name)!, decay))])));
      });
    },
  };
}

/** Adds decay * w to each gradient in place (L2 weight decay, PyTorch's `weight_decay`). */
export function addL2(params: Float32Array[], grads: Float32Array[], decay: number): void {
  if (decay === 0) return;
  params.forEach((w, k) => {
    const g = grads[k]!;
    for (let i = 0; i < w.length; i++) g[i] = g[i]! + decay * w[i]!;
  });
}
