import type { GraphBuilder } from './graph.js';
import type { NodeDef } from './proto.js';
import type { Shape } from './shapes.js';
import { averagePoolGrad, convGrad, maxPoolGrad } from './conv-gradients.js';

export interface RuleArgs {
  g: GraphBuilder;
  node: NodeDef;
  /** dL/d(first output), in the shape of that output. */
  dy: string;
  /** Per input: whether its gradient is wanted (it leads back to a tensor being differentiated). */
  want: boolean[];
}

/** One ONNX op's gradient: per input, dL/d(input) in that input's shape, or null (not wanted, or not differentiable). */
export type Rule = (args: RuleArgs) => (string | null)[];

const float = (node: NodeDef, name: string, fallback: number): number => {
  const a = node.attrs[name];
  return typeof a === 'object' && 'float' in a ? a.float : fallback;
};
const int = (node: NodeDef, name: string, fallback: number): number => {
  const a = node.attrs[name];
  return typeof a === 'number' ? a : fallback;
};
const castFloat = (g: GraphBuilder, mask: string): string => g.op('Cast', [mask], { to: 1 });

/** Sums a gradient of the broadcast shape `out` down to the input shape `to` (numpy broadcasting reversed). */
export function unbroadcast(g: GraphBuilder, dy: string, out: Shape, to: Shape): string {
  const lead = out.length - to.length;
  const axes = out.map((_, i) => i).filter((i) => i < lead || (to[i - lead] === 1 && out[i] !== 1));
  if (axes.length === 0) return dy;
  const summed = g.reduceSum(dy, axes, true);
  return lead === 0 ? summed : g.reshape(summed, to);
}

/** A binary broadcasting op's rule from its two local derivatives, each multiplied into dy before unbroadcasting. */
function binary(local: (args: RuleArgs, a: string, b: string) => [() => string, () => string]): Rule {
  return (args) => {
    const { g, node, want } = args;
    const [a, b] = node.inputs as [string, string];
    const out = g.shapeOf(node.outputs[0]!);
    const [da, db] = local(args, a, b);
    return [want[0] ? unbroadcast(g, da(), out, g.shapeOf(a)) : null, want[1] ? unbroadcast(g, db(), out, g.shapeOf(b)) : null];
  };
}

/** A unary op's rule: dx = dy * f'(x, y). */
const unary = (derivative: (g: GraphBuilder, x: string, y: string, node: NodeDef, dy: string) => string): Rule =>
  ({ g, node, dy }) => [derivative(g, node.inputs[0]!, node.outputs[0]!, node, dy)];

/** Where the output is positive, dy; elsewhere `other(dy)` (Relu, Elu, LeakyRelu: y > 0 iff x > 0). */
const positivePart = (g: GraphBuilder, y: string, dy: string, other: (dy: string) => string): string =>
  g.op('Where', [g.op('Greater', [y, g.scalar(0)]), dy, other(dy)]);

/** Axes of a reduction, normalised; all axes when none are given. */
function reduceAxes(g: GraphBuilder, node: NodeDef, rank: number): number[] {
  const given = node.opType === 'ReduceSum' ? (node.inputs[1] === undefined ? undefined : g.intsOf(node.inputs[1])) : (node.attrs['axes'] as number[] | undefined);
  return (given ?? Array.from({ length: rank }, (_, i) => i)).map((a) => (a < 0 ? a + rank : a));
}

/** dy (or y) of a reduction viewed with the reduced axes kept as 1, so it broadcasts over the input. */
function keptDims(g: GraphBuilder, node: NodeDef, t: string): string {
  const x = g.shapeOf(node.inputs[0]!);
  const axes = reduceAxes(g, node, x.length);
  return int(node, 'keepdims', 1) ? t : g.reshape(t, x.map((d, i) => (axes.includes(i) ? 1 : d)));
}

const expandTo = (g: GraphBuilder, t: string, like: string): string => g.op('Expand', [t, g.shapeTensor(like)]);

/**
 * One rule per ONNX op the layer lowerings emit (test/engine/gradients.test.ts checks each
 * against finite differences). Where tfjs defines a gradient differently from the calculus at a
 * kink (relu at 0, clip at its bounds, max ties, average pools over padding), the rule follows
 * tfjs, so that both engines train alike.
 */
export const RULES: Record<string, Rule> = {
  Identity: ({ dy }) => [dy],
  Add: binary(({ dy }) => [() => dy, () => dy]),
  Sub: binary(({ g, dy }) => [() => dy, () => g.op('Neg', [dy])]),
  Mul: binary(({ g, dy }, a, b) => [() => g.mul(dy, b), () => g.mul(dy, a)]),

  // tfjs's step(x): 1 where x > 0 (Cast(Greater) measured ~2x faster than Sign in ORT).
  Relu: unary((g, _x, y, _n, dy) => g.mul(dy, castFloat(g, g.op('Greater', [y, g.scalar(0)])))),
  Elu: unary((g, _x, y, node, dy) => positivePart(g, y, dy, (d) => g.mul(d, g.add(y, g.scalar(float(node, 'alpha', 1)))))),
  LeakyRelu: unary((g, _x, y, node, dy) => positivePart(g, y, dy, (d) => g.mul(d, g.scalar(float(node, 'alpha', 0.01))))),
  Sigmoid: unary((g, _x, y, _n, dy) => g.mul(dy, g.mul(y, g.sub(g.scalar(1), y)))),
  Tanh: unary((g, _x, y, _n, dy) => g.mul(dy, g.sub(g.scalar(1), g.mul(y, y)))),
  Sqrt: unary((g, _x, y, _n, dy) => g.mul(dy, g.op('Reciprocal', [g.mul(y, g.scalar(2))]))),
  Reciprocal: unary((g, _x, y, _n, dy) => g.op('Neg', [g.mul(dy, g.mul(y, y))])),
  Exp: unary((g, _x, y, _n, dy) => g.mul(dy, y)),
  // d erf(x)/dx = 2/sqrt(pi) exp(-x^2).
  Erf: unary((g, x, _y, _n, dy) => g.mul(dy, g.mul(g.op('Exp', [g.op('Neg', [g.mul(x, x)])]), g.scalar(2 / Math.sqrt(Math.PI))))),
  // tfjs's relu6 rule: the gradient passes where min < x <= max (ties at the top bound pass).
  Clip: ({ g, node, dy }) => {
    const [x, min, max] = node.inputs as [string, string, string];
    return [g.mul(dy, castFloat(g, g.op('And', [g.op('Greater', [x, min]), g.op('LessOrEqual', [x, max])])))];
  },
  Softmax: unary((g, _x, y, node, dy) => g.mul(y, g.sub(dy, g.reduceSum(g.mul(dy, y), [int(node, 'axis', -1)], true)))),

  Reshape: ({ g, node, dy }) => [g.reshape(dy, g.shapeOf(node.inputs[0]!))],
  Flatten: ({ g, node, dy }) => [g.reshape(dy, g.shapeOf(node.inputs[0]!))],
  Transpose: ({ g, node, dy }) => {
    const perm = node.attrs['perm'] as number[];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [g.transpose(dy, inverse)];
  },
  Concat: ({ g, node, dy, want }) => {
    const rank = g.shapeOf(node.outputs[0]!).length;
    const axis = (int(node, 'axis', 0) + rank) % rank;
    let start = 0;
    return node.inputs.map((x, k) => {
      const size = g.shapeOf(x)[axis]!;
      const slice = want[k] ? g.op('Slice', [dy, g.ints([start]), g.ints([start + size]), g.ints([axis])]) : null;
      start += size;
      return slice;
    });
  },
  Pad: ({ g, node, dy }) => {
    const x = g.shapeOf(node.inputs[0]!);
    const pads = g.intsOf(node.inputs[1]!);
    if (pads.some((p) => p < 0)) throw new Error('Pad gradient: negative pads (crops) are not supported');
    const axes = x.map((_, i) => i).filter((i) => pads[i]! + pads[i + x.length]! > 0);
    const starts = axes.map((i) => pads[i]!);
    return [g.op('Slice', [dy, g.ints(starts), g.ints(axes.map((i, k) => starts[k]! + x[i]!)), g.ints(axes)])];
  },

  ReduceSum: ({ g, node, dy }) => [expandTo(g, keptDims(g, node, dy), node.inputs[0]!)],
  ReduceMean: ({ g, node, dy }) => {
    const x = g.shapeOf(node.inputs[0]!);
    const count = reduceAxes(g, node, x.length).reduce((n, a) => n * x[a]!, 1);
    return [expandTo(g, g.mul(keptDims(g, node, dy), g.scalar(1 / count)), node.inputs[0]!)];
  },
  // tfjs's max gradient goes in full to every position equal to the max (ties included).
  ReduceMax: ({ g, node, dy }) => {
    const x = node.inputs[0]!;
    return [g.mul(castFloat(g, g.op('Equal', [x, keptDims(g, node, node.outputs[0]!)])), keptDims(g, node, dy))];
  },

  Gemm: ({ g, node, dy, want }) => {
    if (int(node, 'transA', 0) || int(node, 'transB', 0) || float(node, 'alpha', 1) !== 1 || float(node, 'beta', 1) !== 1) {
      throw new Error('Gemm gradient: only the plain A*B + C form the lowerings emit is supported');
    }
    const [a, b, c] = node.inputs as [string, string, string | undefined];
    return [
      want[0] ? g.op('Gemm', [dy, b], { transB: 1 }) : null,
      want[1] ? g.op('Gemm', [a, dy], { transA: 1 }) : null,
      c !== undefined && want[2] ? unbroadcast(g, dy, g.shapeOf(node.outputs[0]!), g.shapeOf(c)) : null,
    ];
  },
  Conv: convGrad,
  MaxPool: maxPoolGrad,
  AveragePool: averagePoolGrad,
};
