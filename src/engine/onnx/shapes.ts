import type { AttrValue } from './proto.js';

/** A static shape; -1 marks a dimension only known at run time (a dynamic batch). */
export type Shape = number[];

/** What shape inference may look at besides the input shapes: int64 constants by tensor name. */
export type IntsOf = (name: string) => number[] | undefined;

const ints = (a: AttrValue | undefined): number[] | undefined => (Array.isArray(a) ? a : undefined);
const int = (a: AttrValue | undefined, fallback: number): number => (typeof a === 'number' ? a : fallback);
const product = (dims: number[]): number => (dims.some((d) => d < 0) ? -1 : dims.reduce((p, d) => p * d, 1));

/** Numpy broadcasting; a known size beats -1 unless it is 1. */
export function broadcast(shapes: Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => {
    const dims = shapes.map((s) => s[s.length - rank + i] ?? 1);
    return dims.find((d) => d > 1) ?? dims.find((d) => d < 0) ?? 1;
  });
}

/** Output size of a sliding window (Conv, pools; floor mode). */
const windowed = (x: Shape, kernel: number[], strides: number[], pads: number[], dilations: number[] = kernel.map(() => 1)): number[] =>
  kernel.map((k, i) => {
    const size = x[2 + i]!;
    return size < 0 ? -1 : Math.floor((size + pads[i]! + pads[i + kernel.length]! - dilations[i]! * (k - 1) - 1) / strides[i]!) + 1;
  });

const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

function reduced(x: Shape, axes: number[] | undefined, keepdims: number): Shape {
  const all = (axes ?? x.map((_, i) => i)).map((a) => normAxis(a, x.length));
  return keepdims ? x.map((d, i) => (all.includes(i) ? 1 : d)) : x.filter((_, i) => !all.includes(i));
}

function reshaped(x: Shape, target: number[]): Shape {
  const dims = target.map((d, i) => (d === 0 ? x[i]! : d));
  const known = product(x);
  const rest = product(dims.filter((d) => d !== -1));
  if (dims.filter((d) => d === -1).length === 1 && known > 0 && rest > 0) return dims.map((d) => (d === -1 ? known / rest : d));
  return dims;
}

const UNARY = new Set([
  'Identity', 'Relu', 'Sigmoid', 'Tanh', 'Elu', 'LeakyRelu', 'Softmax', 'LogSoftmax', 'Erf', 'Exp', 'Log', 'Sqrt',
  'Reciprocal', 'Neg', 'Abs', 'Softplus', 'Cast', 'Not', 'Clip',
]);
const BROADCASTING = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Where', 'Equal', 'Greater', 'Less', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or']);

/**
 * Output shapes of the ONNX ops the engine emits, from its input shapes and int64 constants;
 * undefined where unknown (an op not listed, or an input of unknown shape). Gradient rules read
 * these shapes, as tinygrad's rules read `ret.src[0].shape`.
 */
export function inferShapes(op: string, inputs: string[], shapes: (Shape | undefined)[], attrs: Record<string, AttrValue>, intsOf: IntsOf): (Shape | undefined)[] {
  const x = shapes[0];
  if (UNARY.has(op)) return [x];
  if (BROADCASTING.has(op)) return shapes.every((s) => s !== undefined) ? [broadcast(shapes as Shape[])] : [undefined];
  if (x === undefined) return [undefined];
  switch (op) {
    case 'Transpose': {
      const perm = ints(attrs['perm']) ?? x.map((_, i) => x.length - 1 - i);
      return [perm.map((p) => x[p]!)];
    }
    case 'Reshape': {
      const target = intsOf(inputs[1]!);
      return [target && reshaped(x, target)];
    }
    case 'Flatten': {
      const axis = normAxis(int(attrs['axis'], 1), x.length);
      return [[product(x.slice(0, axis)), product(x.slice(axis))]];
    }
    case 'Unsqueeze': {
      const axes = intsOf(inputs[1]!);
      if (axes === undefined) return [undefined];
      const out = [...x];
      for (const a of axes.map((a) => normAxis(a, x.length + axes.length)).sort((p, q) => p - q)) out.splice(a, 0, 1);
      return [out];
    }
    case 'Concat': {
      const axis = normAxis(int(attrs['axis'], 0), x.length);
      if (shapes.some((s) => s === undefined)) return [undefined];
      const sizes = shapes.map((s) => s![axis]!);
      return [x.map((d, i) => (i !== axis ? d : sizes.some((n) => n < 0) ? -1 : sizes.reduce((a, b) => a + b, 0)))];
    }
    case 'Pad': {
      const pads = intsOf(inputs[1]!);
      return [pads && x.map((d, i) => (d < 0 ? d : d + pads[i]! + pads[i + x.length]!))];
    }
    case 'Slice': {
      const [starts, ends, axes, steps] = [1, 2, 3, 4].map((k) => (inputs[k] === undefined ? undefined : intsOf(inputs[k])));
      if (starts === undefined || ends === undefined) return [undefined];
      const out = [...x];
      starts.forEach((s, k) => {
        const axis = normAxis(axes?.[k] ?? k, x.length);
        const step = steps?.[k] ?? 1;
        const dim = x[axis]!;
        if (dim < 0) return;
        // ONNX's clamping: negative bounds count from the end; a negative step runs from start down to end (exclusive).
        const bound = (v: number, lo: number, hi: number): number => Math.min(Math.max(v < 0 ? v + dim : v, lo), hi);
        out[axis] = step > 0
          ? Math.max(0, Math.ceil((bound(ends[k]!, 0, dim) - bound(s, 0, dim)) / step))
          : Math.max(0, Math.ceil((bound(s, 0, dim - 1) - bound(ends[k]!, -1, dim - 1)) / -step));
      });
      return [out];
    }
    case 'ReduceMean':
    case 'ReduceMax':
      return [reduced(x, ints(attrs['axes']), int(attrs['keepdims'], 1))];
    case 'ReduceSum':
      return [reduced(x, inputs[1] === undefined ? undefined : intsOf(inputs[1]), int(attrs['keepdims'], 1))];
    case 'Gemm': {
      const b = shapes[1];
      if (b === undefined) return [undefined];
      const rows = int(attrs['transA'], 0) ? x[1]! : x[0]!;
      const cols = int(attrs['transB'], 0) ? b[0]! : b[1]!;
      return [[rows, cols]];
    }
    case 'Conv': {
      const w = shapes[1];
      if (w === undefined) return [undefined];
      const kernel = ints(attrs['kernel_shape']) ?? w.slice(2);
      const spatial = windowed(x, kernel, ints(attrs['strides']) ?? kernel.map(() => 1), ints(attrs['pads']) ?? [...kernel, ...kernel].map(() => 0), ints(attrs['dilations']));
      return [[x[0]!, w[0]!, ...spatial]];
    }
    case 'MaxPool':
    case 'AveragePool': {
      const kernel = ints(attrs['kernel_shape'])!;
      const spatial = windowed(x, kernel, ints(attrs['strides']) ?? kernel.map(() => 1), ints(attrs['pads']) ?? [...kernel, ...kernel].map(() => 0));
      const y = [x[0]!, x[1]!, ...spatial];
      return op === 'MaxPool' ? [y, y] : [y];
    }
    case 'Shape':
      return [[x.length]];
    case 'Expand': {
      const target = intsOf(inputs[1]!);
      return [target && broadcast([x, target])];
    }
    default:
      return [undefined];
  }
}
