import type { GraphBuilder } from './graph.js';
import type { NodeDef } from './proto.js';
import { RULES } from './gradients.js';

/** Ops whose outputs carry no gradient (comparisons, casts of masks, shapes): the walk stops there. */
const NOT_DIFFERENTIABLE = new Set(['Shape', 'Equal', 'Greater', 'Less', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Not', 'Cast', 'ConstantOfShape']);

/**
 * Reverse-mode differentiation of the graph recorded so far (as tinygrad's compute_gradient):
 * `seeds` gives dL/dt for some tensors t (the loss's fused gradient w.r.t. the logits, or ones
 * for a plain scalar); returns dL/dw for every tensor w of `wrt` that the seeds depend on. Nodes
 * are visited in reverse topological order; where a tensor feeds several nodes, their gradients
 * are summed; only nodes on a path from `wrt` to the seeds are differentiated.
 */
export function backprop(g: GraphBuilder, seeds: ReadonlyMap<string, string>, wrt: readonly string[]): Map<string, string> {
  const nodes = g.recorded();
  // Tensors that depend on a `wrt` tensor, then those of them the seeds depend on.
  const live = new Set(wrt);
  for (const n of nodes) if (!NOT_DIFFERENTIABLE.has(n.opType) && n.inputs.some((i) => live.has(i))) n.outputs.forEach((o) => live.add(o));
  const onPath = new Set([...seeds.keys()].filter((s) => live.has(s)));
  const path: NodeDef[] = [];
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k]!;
    if (!n.outputs.some((o) => onPath.has(o)) || NOT_DIFFERENTIABLE.has(n.opType)) continue;
    path.push(n);
    n.inputs.forEach((i) => live.has(i) && onPath.add(i));
  }

  const grads = new Map(seeds);
  for (const node of path) {
    const dys = node.outputs.map((o) => grads.get(o));
    if (dys[0] === undefined) continue;
    const rule = RULES[node.opType];
    if (rule === undefined) throw new Error(`no gradient rule for ONNX op ${node.opType}`);
    const want = node.inputs.map((i) => onPath.has(i));
    rule({ g, node, dy: dys[0], want }).forEach((dx, k) => {
      const input = node.inputs[k]!;
      if (dx === null || !want[k]) return;
      const sum = grads.get(input);
      grads.set(input, sum === undefined ? dx : g.add(sum, dx));
    });
  }
  const result = new Map<string, string>();
  for (const w of wrt) {
    const dw = grads.get(w);
    if (dw !== undefined) result.set(w, dw);
  }
  return result;
}

/** d(sum of `y`)/d(each tensor of `wrt`): the gradient of a scalar, or of a per-sample score summed over the batch. */
export function gradients(g: GraphBuilder, y: string, wrt: readonly string[]): Map<string, string> {
  const ones = g.op('Expand', [g.scalar(1), g.shapeTensor(y)]);
  return backprop(g, new Map([[y, ones]]), wrt);
}
