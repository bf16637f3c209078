import type { ModelSpec } from '../model/spec.js';

/**
 * The nodes `model.pretrained.freeze` keeps fixed: the named node and every node its output
 * depends on (its ancestors), as indices into spec.nodes. A parallel branch that does not lead
 * into it stays trainable. Undefined when no node has that id.
 */
export function frozenNodes(spec: ModelSpec, id: string): Set<number> | undefined {
  const index = new Map(spec.nodes.map((n, i) => [n.id, i]));
  const start = index.get(id);
  if (start === undefined) return undefined;
  const frozen = new Set<number>();
  const stack = [start];
  while (stack.length) {
    const i = stack.pop()!;
    if (frozen.has(i)) continue;
    frozen.add(i);
    for (const input of spec.nodes[i]!.inputs) {
      const j = index.get(input);
      if (j !== undefined) stack.push(j);
    }
  }
  return frozen;
}
