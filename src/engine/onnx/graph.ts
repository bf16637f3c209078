import { DataType, encodeModel, type AttrValue, type NodeDef, type TensorInit, type ValueInfo } from './proto.js';
import { inferShapes, type Shape } from './shapes.js';

/**
 * Builds an ONNX graph node by node; every helper returns the produced tensor name(s). It records
 * each node with its producer and static output shapes, which is what autodiff.ts differentiates.
 */
export class GraphBuilder {
  private nodes: NodeDef[] = [];
  private initializers: TensorInit[] = [];
  private inputs: ValueInfo[] = [];
  private outputs: ValueInfo[] = [];
  private counter = 0;
  private constCache = new Map<string, string>();
  private shapes = new Map<string, Shape>();
  private intConsts = new Map<string, number[]>();
  private producers = new Map<string, NodeDef>();

  fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  /** A float32 graph input. */
  input(name: string, dims: (number | string)[]): string {
    this.inputs.push({ name, dims, dataType: DataType.FLOAT });
    this.shapes.set(name, dims.map((d) => (typeof d === 'number' ? d : -1)));
    return name;
  }

  /** Marks `tensor` as a graph output called `name` (an Identity renames it when needed). */
  output(tensor: string, name: string, dims: (number | string)[]): void {
    if (tensor !== name) this.nodes.push({ opType: 'Identity', inputs: [tensor], outputs: [name], name: this.fresh('out'), attrs: {} });
    this.outputs.push({ name, dims, dataType: DataType.FLOAT });
  }

  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    return this.opMulti(opType, inputs, 1, attrs)[0]!;
  }

  opMulti(opType: string, inputs: string[], nOutputs: number, attrs: Record<string, AttrValue> = {}): string[] {
    const outputs = Array.from({ length: nOutputs }, () => this.fresh(opType));
    const node: NodeDef = { opType, inputs, outputs, name: this.fresh(`n_${opType}`), attrs };
    this.nodes.push(node);
    const shapes = inferShapes(opType, inputs, inputs.map((i) => this.shapes.get(i)), attrs, (name) => this.intConsts.get(name));
    // A Shape's values are its input's static shape (-1 where only known at run time), for Expand and Reshape.
    if (opType === 'Shape' && this.shapes.has(inputs[0]!)) this.intConsts.set(outputs[0]!, this.shapes.get(inputs[0]!)!);
    outputs.forEach((o, k) => {
      this.producers.set(o, node);
      const shape = shapes[k];
      if (shape !== undefined) this.shapes.set(o, shape);
    });
    return outputs;
  }

  /** The nodes recorded so far, in the order emitted (a topological order). */
  recorded(): readonly NodeDef[] {
    return [...this.nodes];
  }

  /** The static shape of a tensor; throws where shape inference could not tell it. */
  shapeOf(tensor: string): Shape {
    const shape = this.shapes.get(tensor);
    if (shape === undefined) throw new Error(`no static shape for tensor ${tensor}`);
    return shape;
  }

  /** The static shape of a tensor where shape inference could tell it. */
  knownShape(tensor: string): Shape | undefined {
    return this.shapes.get(tensor);
  }

  /** The static values of an int64 tensor: a constant made by `ints` (shapes, axes, pads), or a Shape (-1 where known only at run time). */
  intsOf(tensor: string): number[] {
    const values = this.intConsts.get(tensor);
    if (values === undefined) throw new Error(`${tensor} has no static int64 values`);
    return values;
  }

  /** A shape as a tensor: a constant where it is fully known, else read at run time. */
  shapeTensor(tensor: string): string {
    const shape = this.shapes.get(tensor);
    return shape?.every((d) => d >= 0) ? this.ints(shape) : this.op('Shape', [tensor]);
  }

  /** A named float32 initializer (e.g. a weight baked into an exported model). */
  initializer(name: string, data: Float32Array, dims: number[]): string {
    this.initializers.push({ name, dataType: DataType.FLOAT, dims, data });
    this.shapes.set(name, dims);
    return name;
  }

  /** A float32 constant; small ones are deduplicated by value (large ones get a unique key). */
  floatConst(values: number[] | Float32Array, dims: number[]): string {
    const data = Float32Array.from(values);
    const key = `f${dims.join('x')}:${data.length <= 64 ? Array.from(data).join(',') : `#${this.counter}`}`;
    return this.cached(key, () => ({ name: this.fresh('cf'), dataType: DataType.FLOAT, dims, data }));
  }

  scalar(value: number): string {
    return this.floatConst([value], []);
  }

  /** An int64 1-D constant (shapes, axes, slice bounds). */
  ints(values: number[]): string {
    const key = `i:${values.join(',')}`;
    const name = this.cached(key, () => ({ name: this.fresh('ci'), dataType: DataType.INT64, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) }));
    this.intConsts.set(name, values);
    return name;
  }

  private cached(key: string, make: () => TensorInit): string {
    const hit = this.constCache.get(key);
    if (hit !== undefined) return hit;
    const t = make();
    this.initializers.push(t);
    this.shapes.set(t.name, t.dims);
    this.constCache.set(key, t.name);
    return t.name;
  }

  // Shorthands for the ops every lowering uses.
  add(a: string, b: string): string { return this.op('Add', [a, b]); }
  sub(a: string, b: string): string { return this.op('Sub', [a, b]); }
  mul(a: string, b: string): string { return this.op('Mul', [a, b]); }
  /** A transpose that undoes the one which made `x` returns that one's input (weight gradients travel back through layout changes). */
  transpose(x: string, perm: number[]): string {
    const from = this.producers.get(x);
    const prior = from?.opType === 'Transpose' ? (from.attrs['perm'] as number[]) : undefined;
    if (prior !== undefined && perm.every((p, i) => prior[p] === i)) return from!.inputs[0]!;
    return this.op('Transpose', [x], { perm });
  }

  /** A reshape back to the fully known shape of the tensor a reshape started from returns that tensor. */
  reshape(x: string, shape: number[]): string {
    const from = this.producers.get(x);
    const source = from?.opType === 'Reshape' ? this.shapes.get(from.inputs[0]!) : undefined;
    const same = (s: Shape | undefined): boolean => s !== undefined && s.length === shape.length && s.every((d, i) => d >= 0 && d === shape[i]);
    if (same(this.shapes.get(x))) return x;
    if (same(source)) return from!.inputs[0]!;
    return this.op('Reshape', [x, this.ints(shape)]);
  }
  reduceSum(x: string, axes: number[], keepdims: boolean): string {
    return this.op('ReduceSum', [x, this.ints(axes)], { keepdims: keepdims ? 1 : 0 });
  }
  reduceMean(x: string, axes: number[], keepdims: boolean): string {
    return this.op('ReduceMean', [x], { axes, keepdims: keepdims ? 1 : 0 });
  }

  /** The model of the nodes that lead to the outputs (gradient rules may leave a node unused, such as a layout change the next rule undid). */
  toModel(name: string): Uint8Array {
    const needed = new Set(this.outputs.map((o) => o.name));
    const kept: NodeDef[] = [];
    for (let k = this.nodes.length - 1; k >= 0; k--) {
      const n = this.nodes[k]!;
      if (!n.outputs.some((o) => needed.has(o))) continue;
      kept.push(n);
      n.inputs.forEach((i) => needed.add(i));
    }
    const initializers = this.initializers.filter((t) => needed.has(t.name));
    return encodeModel({ name, nodes: kept.reverse(), initializers, inputs: this.inputs, outputs: this.outputs });
  }
}
