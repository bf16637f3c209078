import type { GraphBuilder } from './graph.js';
import type { NodeDef } from './proto.js';
import { LAZY_BROADCAST, RULES } from './gradients.js';

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
    if (!n.outputs.some((o) => onPath.has(o)) || !n.inputs.some((i) => live.has(i)) || NOT_DIFFERENTIABLE.has(n.opType)) continue;
    path.push(n);
    n.inputs.forEach((i) => live.has(i) && onPath.add(i));
  }

  const grads = new Map(seeds);
  // A gradient may be smaller than its tensor where it broadcasts to it (gradients.ts: LAZY_BROADCAST).
  const full = (tensor: string, grad: string): string => {
    const [want, got] = [g.knownShape(tensor), g.knownShape(grad)];
    const lazy = want !== undefined && got !== undefined && (got.length !== want.length || got.some((d, i) => d !== want[i]));
    return lazy ? g.op('Expand', [grad, g.shapeTensor(tensor)]) : grad;
  };
  for (const node of path) {
    const out = node.outputs[0]!;
    const dy = grads.get(out);
    if (dy === undefined) continue;
    const rule = RULES[node.opType];
    if (rule === undefined) throw new Error(`no gradient rule for ONNX op ${node.opType}`);
    const want = node.inputs.map((i) => onPath.has(i));
    rule({ g, node, dy: LAZY_BROADCAST.has(node.opType) ? dy : full(out, dy), want }).forEach((dx, k) => {
      const input = node.inputs[k]!;
      if (dx === null || !want[k]) return;
      const sum = grads.get(input);
      grads.set(input, sum === undefined ? dx : g.add(sum, dx));
    });
  }
  const result = new Map<string, string>();
  for (const w of wrt) {
    const dw = grads.get(w);
    if (dw !== undefined) result.set(w, full(w, dw));
  }
  return result;
}

/** d(sum of `y`)/d(each tensor of `wrt`): the gradient of a scalar, or of a per-sample score summed over the batch. */
export function gradients(g: GraphBuilder, y: string, wrt: readonly string[]): Map<string, string> {
  const ones = g.op('Expand', [g.scalar(1), g.shapeTensor(y)]);
  return backprop(g, new Map([[y, ones]]), wrt);
}
