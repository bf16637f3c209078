// Minimal protobuf encoder for the ONNX ModelProto subset the engine emits.
// Field numbers follow onnx/onnx.proto3; only what the graph builder needs is covered.

/** ONNX TensorProto.DataType values used by the engine. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;
export type DataTypeId = (typeof DataType)[keyof typeof DataType];

export type AttrValue = number | string | number[] | { float: number } | { floats: number[] } | TensorInit;

export interface TensorInit {
  name: string;
  dataType: DataTypeId;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

export interface NodeDef {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: Record<string, AttrValue>;
}

/** A dimension is a fixed size or a symbolic name (e.g. a dynamic batch). */
export interface ValueInfo {
  name: string;
  dataType: DataTypeId;
  dims: (number | string)[];
}

export interface GraphDef {
  name: string;
  nodes: NodeDef[];
  initializers: TensorInit[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

const textEncoder = new TextEncoder();

class Writer {
  private chunks: Uint8Array[] = [];
  private bytes: number[] = [];

  private flushBytes(): void {
    if (this.bytes.length > 0) {
      this.chunks.push(Uint8Array.from(this.bytes));
      this.bytes = [];
    }
  }

  varint(value: number | bigint): void {
    // Negative int64 values are encoded as their 10-byte two's complement.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  tag(field: number, wireType: 0 | 2 | 5): void {
    this.varint((field << 3) | wireType);
  }

  raw(data: Uint8Array): void {
    this.flushBytes();
    this.chunks.push(data);
  }

  finish(): Uint8Array {
    this.flushBytes();
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }

  int(field: number, value: number | bigint): void {
    this.tag(field, 0);
    this.varint(value);
  }

  bytesField(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.raw(data);
  }

  string(field: number, value: string): void {
    this.bytesField(field, textEncoder.encode(value));
  }

  message(field: number, encode: (w: Writer) => void): void {
    const inner = new Writer();
    encode(inner);
    this.bytesField(field, inner.finish());
  }

  float(field: number, value: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.raw(b);
  }

  packedInts(field: number, values: number[]): void {
    const inner = new Writer();
    for (const v of values) inner.varint(v);
    this.bytesField(field, inner.finish());
  }

  packedFloats(field: number, values: number[]): void {
    this.bytesField(field, new Uint8Array(Float32Array.from(values).buffer));
  }
}

function encodeTensor(w: Writer, t: TensorInit): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType);
  w.string(8, t.name);
  w.bytesField(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

// AttributeProto.AttributeType values.
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

function encodeAttribute(w: Writer, name: string, value: AttrValue): void {
  w.string(1, name);
  if (typeof value === 'number') {
    w.int(3, value);
    w.int(20, AttrType.INT);
  } else if (typeof value === 'string') {
    w.bytesField(4, textEncoder.encode(value));
    w.int(20, AttrType.STRING);
  } else if (Array.isArray(value)) {
    w.packedInts(8, value);
    w.int(20, AttrType.INTS);
  } else if ('float' in value) {
    w.float(2, value.float);
    w.int(20, AttrType.FLOAT);
  } else if ('floats' in value) {
    w.packedFloats(7, value.floats);
    w.int(20, AttrType.FLOATS);
  } else {
    w.message(5, (tw) => encodeTensor(tw, value));
    w.int(20, AttrType.TENSOR);
  }
}

function encodeNode(w: Writer, n: NodeDef): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attrs)) w.message(5, (aw) => encodeAttribute(aw, k, v));
}

function encodeValueInfo(w: Writer, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (tw) =>
    tw.message(1, (tt) => {
      tt.int(1, v.dataType);
      tt.message(2, (sw) => {
        for (const d of v.dims) {
          sw.message(1, (dw) => (typeof d === 'number' ? dw.int(1, d) : dw.string(2, d)));
        }
      });
    }),
  );
}

function encodeGraph(w: Writer, g: GraphDef): void {
  for (const n of g.nodes) w.message(1, (nw) => encodeNode(nw, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (tw) => encodeTensor(tw, t));
  for (const i of g.inputs) w.message(11, (vw) => encodeValueInfo(vw, i));
  for (const o of g.outputs) w.message(12, (vw) => encodeValueInfo(vw, o));
}

/** ONNX opset the engine targets (ORT 1.30 supports it fully); IR version 8 goes with it. */
export const OPSET = 17;
const IR_VERSION = 8;

export function encodeModel(graph: GraphDef): Uint8Array {
  const w = new Writer();
  w.int(1, IR_VERSION);
  w.string(2, 'exp-onnx-engine');
  w.message(7, (gw) => encodeGraph(gw, graph));
  w.message(8, (ow) => {
    ow.string(1, '');
    ow.int(2, OPSET);
  });
  return w.finish();
}
