import { describeParams } from './build.js';
import { DataType } from './proto.js';
import type { ModelSpec } from '../../model/spec.js';

/**
 * The float32 initializers of an ONNX model, by name: the weights an inference model such as a
 * run's model/model.onnx carries (buildInferenceGraph bakes them in under describeParams' names).
 * A protobuf reader of only the fields on that path: ModelProto.graph (7) ->
 * GraphProto.initializer (5) -> TensorProto dims (1), data_type (2), float_data (4), name (8),
 * raw_data (9).
 */
export function readFloatInitializers(model: Uint8Array): Map<string, { dims: number[]; data: Float32Array }> {
  const out = new Map<string, { dims: number[]; data: Float32Array }>();
  for (const graph of fields(model, 7)) {
    for (const tensor of fields(graph, 5)) {
      let name = '';
      let type = 0;
      const dims: number[] = [];
      let data: Float32Array | undefined;
      const floats: number[] = [];
      for (const f of message(tensor)) {
        if (f.field === 1) dims.push(...(f.bytes ? packedVarints(f.bytes) : [f.value]));
        else if (f.field === 2) type = f.value;
        else if (f.field === 8 && f.bytes) name = new TextDecoder().decode(f.bytes);
        else if (f.field === 9 && f.bytes) data = floatsOf(f.bytes);
        else if (f.field === 4) floats.push(...(f.bytes ? floatsOf(f.bytes) : [f.float]));
      }
      if (type === DataType.FLOAT) out.set(name, { dims, data: data ?? Float32Array.from(floats) });
    }
  }
  return out;
}

/** Little-endian float32s, copied: a field need not start 4-byte aligned (and a Node Buffer's slice() is a view). */
const floatsOf = (bytes: Uint8Array): Float32Array => new Float32Array(Uint8Array.from(bytes).buffer);

interface Field {
  field: number;
  /** the varint value (wire type 0) */
  value: number;
  /** the 32-bit float (wire type 5) */
  float: number;
  /** the bytes of a length-delimited field (wire type 2) */
  bytes?: Uint8Array;
}

/** The fields of one protobuf message, in order. */
function* message(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated ONNX model (varint past the end)');
      const b = buf[pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) yield { field, value: varint(), float: 0 };
    else if (wire === 2) {
      const length = varint();
      if (pos + length > buf.length) throw new Error('truncated ONNX model (a field runs past the end)');
      yield { field, value: 0, float: 0, bytes: buf.subarray(pos, pos + length) };
      pos += length;
    } else if (wire === 5) {
      yield { field, value: 0, float: new DataView(buf.buffer, buf.byteOffset + pos, 4).getFloat32(0, true) };
      pos += 4;
    } else if (wire === 1) pos += 8;
    else throw new Error(`not an ONNX model (protobuf wire type ${wire})`);
  }
}

const fields = (buf: Uint8Array, field: number): Uint8Array[] => [...message(buf)].flatMap((f) => (f.field === field && f.bytes ? [f.bytes] : []));

function packedVarints(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let value = 0;
  let scale = 1;
  for (const b of bytes) {
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) {
      out.push(value);
      value = 0;
      scale = 1;
    }
  }
  return out;
}

/** The weights buildInferenceGraph baked into `model` for `spec`, in describeParams order (tfjs layout). */
export function bakedWeights(spec: ModelSpec, model: Uint8Array): Float32Array[] {
  const found = readFloatInitializers(model);
  return describeParams(spec).map((p) => {
    const w = found.get(p.name);
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (!w || w.data.length !== size) throw new Error(`the ONNX model has no weight ${p.name} of shape [${p.shape.join(', ')}]: it was not exported from this model`);
    return w.data;
  });
}
