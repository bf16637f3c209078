import type { Activation, LayerSpec } from '../../model/spec.js';

/** A layer as lowered, with the index of the spec layer whose params it uses (-1: none). */
export interface PlannedLayer {
  layer: LayerSpec;
  owner: number;
}

// Non-decreasing activations commute with max pooling: pool(f(z)) == f(pool(z)).
const MONOTONE: ReadonlySet<Activation> = new Set(['relu', 'leaky_relu', 'elu', 'sigmoid', 'tanh']);

/**
 * Moves a monotone activation from before a max pool to after it, so the activation and its gradient
 * run on the pooled (k*k times smaller) tensor. Values are identical; gradients too: the first argmax of z
 * and of f(z) coincide except among ties where f is flat, and there f' = 0 in both orders.
 */
export function planLayers(layers: LayerSpec[]): PlannedLayer[] {
  const plan: PlannedLayer[] = [];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const next = layers[i + 1];
    if ((layer.type === 'conv2d' || layer.type === 'activation') && MONOTONE.has(layer.activation) && next?.type === 'maxpool') {
      if (layer.type === 'conv2d') plan.push({ layer: { ...layer, activation: 'linear' }, owner: i });
      plan.push({ layer: next, owner: i + 1 });
      plan.push({ layer: { type: 'activation', activation: layer.activation }, owner: -1 });
      i++;
    } else {
      plan.push({ layer, owner: i });
    }
  }
  return plan;
}
