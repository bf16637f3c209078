import { DataType, encodeModel, type AttrValue, type NodeDef, type TensorInit, type ValueInfo } from './proto.js';

/** Builds an ONNX graph node by node; every helper returns the produced tensor name(s). */
export class GraphBuilder {
  private nodes: NodeDef[] = [];
  private initializers: TensorInit[] = [];
  private inputs: ValueInfo[] = [];
  private outputs: ValueInfo[] = [];
  private counter = 0;
  private constCache = new Map<string, string>();

  fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  /** A float32 graph input. */
  input(name: string, dims: (number | string)[]): string {
    this.inputs.push({ name, dims, dataType: DataType.FLOAT });
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
    this.nodes.push({ opType, inputs, outputs, name: this.fresh(`n_${opType}`), attrs });
    return outputs;
  }

  /** A named float32 initializer (e.g. a weight baked into an exported model). */
  initializer(name: string, data: Float32Array, dims: number[]): string {
    this.initializers.push({ name, dataType: DataType.FLOAT, dims, data });
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
    return this.cached(key, () => ({ name: this.fresh('ci'), dataType: DataType.INT64, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) }));
  }

  private cached(key: string, make: () => TensorInit): string {
    const hit = this.constCache.get(key);
    if (hit !== undefined) return hit;
    const t = make();
    this.initializers.push(t);
    this.constCache.set(key, t.name);
    return t.name;
  }

  // Shorthands for the ops every lowering uses.
  add(a: string, b: string): string { return this.op('Add', [a, b]); }
  sub(a: string, b: string): string { return this.op('Sub', [a, b]); }
  mul(a: string, b: string): string { return this.op('Mul', [a, b]); }
  transpose(x: string, perm: number[]): string { return this.op('Transpose', [x], { perm }); }
  reshape(x: string, shape: number[]): string { return this.op('Reshape', [x, this.ints(shape)]); }
  reduceSum(x: string, axes: number[], keepdims: boolean): string {
    return this.op('ReduceSum', [x, this.ints(axes)], { keepdims: keepdims ? 1 : 0 });
  }
  reduceMean(x: string, axes: number[], keepdims: boolean): string {
    return this.op('ReduceMean', [x], { axes, keepdims: keepdims ? 1 : 0 });
  }

  toModel(name: string): Uint8Array {
    return encodeModel({ name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs });
  }
}
