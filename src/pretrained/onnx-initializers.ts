/**
 * The float32 initializers of an ONNX model (its weights), read straight from the protobuf:
 * ModelProto.graph (7) -> GraphProto.initializer (5) -> TensorProto dims (1), data_type (2),
 * float_data (4), name (8), raw_data (9). Field numbers from onnx/onnx.proto3.
 */
export interface OnnxInitializer {
  name: string;
  dims: number[];
  values: Float32Array;
}

const FLOAT = 1;

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly end = buf.length) {}

  varint(): number {
    let result = 0;
    let shift = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
    }
  }

  /** Each field as [number, wire type, start, end] of its value; varints read as numbers. */
  *fields(): Generator<{ field: number; wire: number; value: number; start: number; end: number }> {
    while (this.pos < this.end) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      const start = this.pos;
      let value = 0;
      if (wire === 0) value = this.varint();
      else if (wire === 1) this.pos += 8;
      else if (wire === 2) {
        const length = this.varint();
        value = length;
        this.pos += length;
        yield { field, wire, value, start: this.pos - length, end: this.pos };
        continue;
      } else if (wire === 5) this.pos += 4;
      else throw new Error(`unsupported protobuf wire type ${wire}`);
      if (this.pos > this.end) throw new Error('truncated field');
      yield { field, wire, value, start, end: this.pos };
    }
  }
}

const sub = (buf: Uint8Array, start: number, end: number): Reader => {
  const r = new Reader(buf, end);
  r.pos = start;
  return r;
};

function readTensor(buf: Uint8Array, start: number, end: number): OnnxInitializer | undefined {
  let name = '';
  const dims: number[] = [];
  let dataType = 0;
  let raw: Uint8Array | undefined;
  const floats: number[] = [];
  for (const f of sub(buf, start, end).fields()) {
    if (f.field === 1 && f.wire === 0) dims.push(f.value);
    else if (f.field === 1 && f.wire === 2) {
      const r = sub(buf, f.start, f.end);
      while (r.pos < r.end) dims.push(r.varint());
    } else if (f.field === 2) dataType = f.value;
    else if (f.field === 8) name = new TextDecoder().decode(buf.subarray(f.start, f.end));
    else if (f.field === 9) raw = buf.subarray(f.start, f.end);
    else if (f.field === 4 && f.wire === 2) {
      const view = new DataView(buf.buffer, buf.byteOffset + f.start, f.end - f.start);
      for (let o = 0; o < view.byteLength; o += 4) floats.push(view.getFloat32(o, true));
    } else if (f.field === 4 && f.wire === 5) floats.push(new DataView(buf.buffer, buf.byteOffset + f.start, 4).getFloat32(0, true));
  }
  if (dataType !== FLOAT) return undefined;
  let values: Float32Array;
  if (raw) {
    values = new Float32Array(raw.length / 4);
    new Uint8Array(values.buffer).set(raw);
  } else values = Float32Array.from(floats);
  return { name, dims, values };
}

/** Every float32 initializer of the model, in file order (others, such as int64 shapes, are left out). */
export function onnxInitializers(model: Uint8Array): OnnxInitializer[] {
  const out: OnnxInitializer[] = [];
  for (const m of new Reader(model).fields()) {
    if (m.field !== 7 || m.wire !== 2) continue;
    for (const g of sub(model, m.start, m.end).fields()) {
      if (g.field !== 5 || g.wire !== 2) continue;
      const t = readTensor(model, g.start, g.end);
      if (t) out.push(t);
    }
  }
  return out;
}
