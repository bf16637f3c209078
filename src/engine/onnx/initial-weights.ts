import seedrandom from 'seedrandom';
import type { ModelSpec } from '../../model/spec.js';
import { describeParams } from './build.js';
import type { ParamDecl } from './lowering.js';

/**
 * Keras's fans of a kernel (channels last): a dense [in, out] kernel's own dims; a conv
 * kernel's input and output channels times its receptive field ([kh, kw, in, out], and a
 * depthwise [kh, kw, c, multiplier] alike).
 */
function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  const field = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape.at(-2)! * field, shape.at(-1)! * field];
}

/**
 * One weight's initial values, as tfjs's initialiser of the same name gives them from `seed`:
 * glorot_uniform is U(-limit, limit) with limit = sqrt(3 / max(1, (fanIn + fanOut) / 2)),
 * drawn in order from seedrandom's alea seeded with the seed's decimal string (tfjs-core's
 * seeded randomUniform), each value rounded once into float32.
 */
export function initialValues(decl: Pick<ParamDecl, 'init' | 'shape'>, seed: number): Float32Array {
  const out = new Float32Array(decl.shape.reduce((a, b) => a * b, 1));
  if (decl.init === 'ones') return out.fill(1);
  if (decl.init === 'zeros') return out;
  const [fanIn, fanOut] = fans(decl.shape);
  const limit = Math.sqrt(3 * (1 / Math.max(1, (fanIn + fanOut) / 2)));
  const min = -limit;
  const range = limit - min;
  const random = seedrandom.alea(String(seed));
  for (let i = 0; i < out.length; i++) out[i] = min + range * random();
  return out;
}

/**
 * A model's initial weights in exp's weight order: every kernel of node i seeded with
 * `seed + i`, as the tfjs engine seeds each node's kernel initialiser, so both engines start a
 * run from identical weights without the onnx engine loading TensorFlow.js.
 */
export const initialWeights = (spec: ModelSpec, seed: number): Float32Array[] => describeParams(spec).map((p) => initialValues(p, seed + p.layer));
