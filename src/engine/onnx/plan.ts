import type { Activation, LayerSpec, ModelNode } from '../../model/spec.js';

/** A node as lowered, with the index of the spec node whose params it uses (-1: none). */
export interface PlannedNode {
  id: string;
  layer: LayerSpec;
  inputs: string[];
  owner: number;
}

// Non-decreasing activations commute with max pooling: pool(f(z)) == f(pool(z)).
const MONOTONE: ReadonlySet<Activation> = new Set(['relu', 'relu6', 'leaky_relu', 'elu', 'sigmoid', 'tanh', 'hard_sigmoid']);

/**
 * Moves a monotone activation from before a max pool to after it, so the activation and its gradient
 * run on the pooled (k*k times smaller) tensor, where the pool is the only consumer of the activation.
 * Values are identical; gradients too: the first argmax of z and of f(z) coincide except among ties
 * where f is flat, and there f' = 0 in both orders.
 */
export function planNodes(nodes: ModelNode[]): PlannedNode[] {
  const consumers = new Map<string, number>();
  for (const n of nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const plan: PlannedNode[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const { id, layer, inputs } = nodes[i]!;
    const next = nodes[i + 1];
    const fuses = (layer.type === 'conv2d' || layer.type === 'activation') && MONOTONE.has(layer.activation);
    if (fuses && next?.layer.type === 'maxpool' && next.inputs[0] === id && consumers.get(id) === 1) {
      if (layer.type === 'conv2d') plan.push({ id, layer: { ...layer, activation: 'linear' }, inputs, owner: i });
      const pre = `${next.id}/pre_activation`;
      plan.push({ id: pre, layer: next.layer, inputs: [layer.type === 'conv2d' ? id : inputs[0]!], owner: i + 1 });
      plan.push({ id: next.id, layer: { type: 'activation', activation: layer.activation }, inputs: [pre], owner: -1 });
      i++;
    } else {
      plan.push({ id, layer, inputs, owner: i });
    }
  }
  return plan;
}
